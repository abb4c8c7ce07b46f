package io.korvet.it.fuzz;

import io.korvet.it.fuzz.FrameLayout.Spot;
import io.korvet.it.fuzz.FuzzCases.Seed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;
import org.apache.kafka.common.utils.Crc32C;

/**
 * Mutations of the v2 record batch inside a Produce request: its header fields (length, magic, CRC,
 * attributes, offsets, timestamps, producer fields, record count), its payload, and the varints inside its
 * records (decompressed and compressed again with the batch's own codec). Most mutations then fix the CRC,
 * so that the broker's checks behind the CRC are reached too.
 */
final class BatchMutator {

    static final int LENGTH_OFFSET = 8;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int PRODUCER_ID_OFFSET = 43;
    static final int PRODUCER_EPOCH_OFFSET = 51;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int RECORD_COUNT_OFFSET = 57;
    static final int RECORDS_OFFSET = 61;

    private BatchMutator() {
    }

    private static Spot batchSpot(Seed seed, Random r) {
        List<Spot> spots = seed.spots(s -> s.isRecords() && s.dataLength() >= RECORDS_OFFSET);
        return spots.get(r.nextInt(spots.size()));
    }

    /** One of the batch header's fields, or its payload, changed; the CRC mostly fixed afterwards. */
    static byte[] header(Seed seed, byte[] frame, Random r, StringBuilder note) {
        Spot spot = batchSpot(seed, r);
        byte[] batch = Arrays.copyOfRange(frame, spot.dataStart(), spot.dataStart() + spot.dataLength());
        ByteBuffer b = ByteBuffer.wrap(batch);
        boolean fixCrc = r.nextInt(10) != 0;
        switch (r.nextInt(13)) {
            case 0 -> {
                b.putInt(LENGTH_OFFSET, Interesting.int32(r, b.getInt(LENGTH_OFFSET)));
                note.append(" batch length ").append(b.getInt(LENGTH_OFFSET));
            }
            case 1 -> {
                byte[] magics = {0, 1, 3, -1, (byte) r.nextInt(256)};
                b.put(MAGIC_OFFSET, magics[r.nextInt(magics.length)]);
                note.append(" magic ").append(b.get(MAGIC_OFFSET));
            }
            case 2 -> {
                b.putInt(CRC_OFFSET, r.nextInt());
                fixCrc = false;
                note.append(" crc");
            }
            case 3 -> {
                short[] attributes = {(short) r.nextInt(8), 0x08, 0x10, 0x20, 0x30, (short) (b.getShort(ATTRIBUTES_OFFSET) ^ 0x07),
                    (short) r.nextInt(65536), 0x40, (short) 0x8000};
                b.putShort(ATTRIBUTES_OFFSET, attributes[r.nextInt(attributes.length)]);
                note.append(" attributes ").append(b.getShort(ATTRIBUTES_OFFSET));
            }
            case 4 -> {
                b.putInt(LAST_OFFSET_DELTA_OFFSET, Interesting.int32(r, b.getInt(LAST_OFFSET_DELTA_OFFSET)));
                note.append(" last offset delta ").append(b.getInt(LAST_OFFSET_DELTA_OFFSET));
            }
            case 5 -> {
                int at = r.nextBoolean() ? BASE_TIMESTAMP_OFFSET : MAX_TIMESTAMP_OFFSET;
                b.putLong(at, Interesting.int64(r, b.getLong(at)));
                note.append(" timestamp@").append(at);
            }
            case 6 -> {
                switch (r.nextInt(3)) {
                    case 0 -> b.putLong(PRODUCER_ID_OFFSET, Interesting.int64(r, b.getLong(PRODUCER_ID_OFFSET)));
                    case 1 -> b.putShort(PRODUCER_EPOCH_OFFSET, (short) Interesting.int16(r, b.getShort(PRODUCER_EPOCH_OFFSET)));
                    default -> b.putInt(BASE_SEQUENCE_OFFSET, Interesting.int32(r, b.getInt(BASE_SEQUENCE_OFFSET)));
                }
                note.append(" producer fields");
            }
            case 7, 8 -> {
                b.putInt(RECORD_COUNT_OFFSET, Interesting.int32(r, b.getInt(RECORD_COUNT_OFFSET)));
                note.append(" record count ").append(b.getInt(RECORD_COUNT_OFFSET));
            }
            case 9 -> {
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips && batch.length > RECORDS_OFFSET; i++) {
                    int pos = RECORDS_OFFSET + r.nextInt(batch.length - RECORDS_OFFSET);
                    batch[pos] ^= (byte) (1 << r.nextInt(8));
                }
                note.append(" payload bits");
            }
            case 10 -> {
                int keep = RECORDS_OFFSET + r.nextInt(batch.length - RECORDS_OFFSET + 1);
                batch = Arrays.copyOf(batch, keep);
                b = ByteBuffer.wrap(batch);
                if (r.nextBoolean()) {
                    b.putInt(LENGTH_OFFSET, batch.length - 12);
                }
                note.append(" cut to ").append(keep);
            }
            case 11 -> {
                batch = FuzzCases.concat(batch, batch);
                b = ByteBuffer.wrap(batch);
                note.append(" two batches");
            }
            default -> {
                batch = Arrays.copyOf(batch, RECORDS_OFFSET);
                b = ByteBuffer.wrap(batch);
                b.putInt(LENGTH_OFFSET, batch.length - 12);
                b.putInt(RECORD_COUNT_OFFSET, r.nextBoolean() ? 0 : 1);
                note.append(" no records");
            }
        }
        if (fixCrc && batch.length >= RECORDS_OFFSET) {
            int end = Math.min(batch.length, Math.max(RECORDS_OFFSET, 12 + b.getInt(LENGTH_OFFSET)));
            fixCrc(batch, end < RECORDS_OFFSET ? batch.length : end);
        }
        return FuzzCases.replaceContent(frame, spot, batch);
    }

    /** A varint inside one record (length, timestamp or offset delta, key, value, header lengths or count) changed. */
    static byte[] records(Seed seed, byte[] frame, Random r, StringBuilder note) {
        Spot spot = batchSpot(seed, r);
        byte[] batch = Arrays.copyOfRange(frame, spot.dataStart(), spot.dataStart() + spot.dataLength());
        int batchEnd = Math.min(batch.length, 12 + ByteBuffer.wrap(batch).getInt(LENGTH_OFFSET));
        if (batchEnd < RECORDS_OFFSET) {
            return header(seed, frame, r, note);
        }
        int codecId = ByteBuffer.wrap(batch).getShort(ATTRIBUTES_OFFSET) & 0x07;
        CompressionType codec;
        byte[] payload;
        try {
            codec = CompressionType.forId(codecId);
            payload = decompress(codec, Arrays.copyOfRange(batch, RECORDS_OFFSET, batchEnd));
        } catch (RuntimeException | IOException e) {
            return header(seed, frame, r, note);
        }
        List<int[]> varints = recordVarints(payload);
        note.append(' ').append(codec.name);
        if (varints.isEmpty() || r.nextInt(6) == 0) {
            int flips = 1 + r.nextInt(3);
            for (int i = 0; i < flips && payload.length > 0; i++) {
                payload[r.nextInt(payload.length)] ^= (byte) (1 << r.nextInt(8));
            }
            note.append(" record bits");
        } else {
            int[] v = varints.get(r.nextInt(varints.size()));
            ByteBuffer enc = ByteBuffer.allocate(10);
            if (v[2] == 1) {
                ByteUtils.writeVarlong(Interesting.int64(r, 0), enc);
            } else {
                ByteUtils.writeVarint(Interesting.int32(r, 0), enc);
            }
            payload = FuzzCases.splice(payload, v[0], v[0] + v[1], Arrays.copyOf(enc.array(), enc.position()));
            note.append(" record varint@").append(v[0]);
        }
        byte[] records;
        try {
            records = compress(codec, payload);
        } catch (IOException | RuntimeException e) {
            return header(seed, frame, r, note);
        }
        byte[] rebuilt = FuzzCases.concat(Arrays.copyOf(batch, RECORDS_OFFSET), records);
        ByteBuffer.wrap(rebuilt).putInt(LENGTH_OFFSET, rebuilt.length - 12);
        if (r.nextInt(20) != 0) {
            fixCrc(rebuilt, rebuilt.length);
        }
        return FuzzCases.replaceContent(frame, spot, rebuilt);
    }

    static void fixCrc(byte[] batch, int end) {
        long crc = Crc32C.compute(batch, ATTRIBUTES_OFFSET, end - ATTRIBUTES_OFFSET);
        ByteBuffer.wrap(batch).putInt(CRC_OFFSET, (int) crc);
    }

    /** Each varint in the records: {position, width, 1 if a varlong}. */
    private static List<int[]> recordVarints(byte[] payload) {
        List<int[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(payload);
        try {
            while (b.hasRemaining() && out.size() < 10_000) {
                int length = varint(b, out, false);
                int start = b.position();
                b.get(); // attributes
                varint(b, out, true); // timestamp delta
                varint(b, out, false); // offset delta
                skip(b, varint(b, out, false)); // key
                skip(b, varint(b, out, false)); // value
                int headers = varint(b, out, false);
                for (int i = 0; i < headers && i < 1000; i++) {
                    skip(b, varint(b, out, false));
                    skip(b, varint(b, out, false));
                }
                b.position(start + length);
            }
        } catch (RuntimeException e) {
            // as far as the records go
        }
        return out;
    }

    private static int varint(ByteBuffer b, List<int[]> out, boolean isLong) {
        int pos = b.position();
        long value = isLong ? ByteUtils.readVarlong(b) : ByteUtils.readVarint(b);
        out.add(new int[] {pos, b.position() - pos, isLong ? 1 : 0});
        return (int) value;
    }

    private static void skip(ByteBuffer b, int n) {
        if (n > 0) {
            b.position(b.position() + n);
        }
    }

    private static byte[] decompress(CompressionType codec, byte[] data) throws IOException {
        if (codec == CompressionType.NONE) {
            return data;
        }
        try (InputStream in = Compression.of(codec).build().wrapForInput(ByteBuffer.wrap(data), (byte) 2, BufferSupplier.NO_CACHING)) {
            byte[] out = in.readNBytes(16 * 1024 * 1024);
            return out;
        }
    }

    private static byte[] compress(CompressionType codec, byte[] data) throws IOException {
        if (codec == CompressionType.NONE) {
            return data;
        }
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(data.length + 64);
        try (OutputStream out = Compression.of(codec).build().wrapForOutput(buffer, (byte) 2)) {
            out.write(data);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        ByteBuffer written = buffer.buffer();
        return Arrays.copyOf(written.array(), written.position());
    }
}
