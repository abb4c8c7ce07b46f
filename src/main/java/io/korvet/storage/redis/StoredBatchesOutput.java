package io.korvet.storage.redis;

import io.korvet.storage.StoredBatches;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An XRANGE reply of a {@code batch}-format stream decoded as Lettuce parses it: each entry's {@code data} (the
 * v2 batch) is copied once, straight from the reply buffer to the end of one array that then holds every batch
 * of the read back to back, as the Fetch response will carry them; the ID (the batch's last offset) and
 * {@code base} are read as digits. No object is made per batch.
 */
final class StoredBatchesOutput extends CommandOutput<byte[], byte[], StoredBatches> {

    private static final byte[] BASE = "base".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private enum Next { ID, NAME, VALUE }

    private Next next = Next.ID;
    private byte field;
    private byte[] data = new byte[0];
    private int size;
    private long[] bases = new long[0];
    private long[] lasts = new long[0];
    private int[] ends = new int[0];
    private int count;
    private long base = -1;
    private long last = -1;
    private boolean hasData;

    StoredBatchesOutput() {
        super(ByteArrayCodec.INSTANCE, StoredBatches.EMPTY);
    }

    @Override
    public void multi(int n) {
        if (next == Next.ID && count == 0 && bases.length == 0 && n > 0) {
            bases = new long[n];
            lasts = new long[n];
            ends = new int[n];
        }
    }

    @Override
    public void set(ByteBuffer bytes) {
        switch (next) {
            case ID -> {
                last = bytes == null ? -1 : StoredRecordsOutput.parseLong(bytes, '-');
                next = Next.NAME;
            }
            case NAME -> {
                field = bytes == null ? 0 : StoredRecordsOutput.matches(bytes, BASE) ? (byte) 'b' : StoredRecordsOutput.matches(bytes, DATA) ? (byte) 'd' : 0;
                next = Next.VALUE;
            }
            case VALUE -> {
                if (bytes != null && field == 'b') {
                    base = StoredRecordsOutput.parseLong(bytes, (char) 0);
                } else if (bytes != null && field == 'd') {
                    append(bytes);
                    hasData = true;
                }
                next = Next.NAME;
            }
            default -> throw new IllegalStateException(String.valueOf(next));
        }
    }

    @Override
    public void complete(int depth) {
        if (depth == 1 && next != Next.ID) {
            if (hasData && base >= 0) {
                // An entry without data or base (not written by Korvet) is skipped.
                if (count == bases.length) {
                    int grown = Math.max(8, count * 2);
                    bases = Arrays.copyOf(bases, grown);
                    lasts = Arrays.copyOf(lasts, grown);
                    ends = Arrays.copyOf(ends, grown);
                }
                bases[count] = base;
                lasts[count] = last;
                ends[count] = size;
                count++;
            } else if (hasData) {
                size = count == 0 ? 0 : ends[count - 1];
            }
            next = Next.ID;
            base = -1;
            last = -1;
            hasData = false;
        }
    }

    @Override
    public StoredBatches get() {
        return count == 0 ? StoredBatches.EMPTY : new StoredBatches(data, bases, lasts, ends, count);
    }

    private void append(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (size + n > data.length) {
            long grown = Math.max(size + (long) n, Math.max(4096L, data.length * 2L));
            data = Arrays.copyOf(data, (int) Math.min(grown, Integer.MAX_VALUE - 16L));
        }
        bytes.get(data, size, n);
        size += n;
    }
}
