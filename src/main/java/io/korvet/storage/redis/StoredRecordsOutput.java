package io.korvet.storage.redis;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.StoredRecord;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * An XRANGE reply decoded straight into {@link StoredRecord}s as Lettuce parses it: the entry ID and the
 * {@code ts} field are read as digits from the reply buffer, and only keys, values and headers are copied.
 * Lettuce's own stream output builds a String ID and a map of copied field names per entry, which made
 * reading a record cost more than writing it into the Fetch response.
 */
final class StoredRecordsOutput extends CommandOutput<byte[], byte[], List<StoredRecord>> {

    private static final Header[] NO_HEADERS = new Header[0];

    /** What the next bulk string of an entry is. */
    private enum Next { ID, NAME, VALUE }

    private Next next = Next.ID;
    private byte field;
    private long offset;
    private long timestamp;
    private byte[] key;
    private byte[] value;
    private Header[] headers;
    private BatchHeader batch;

    StoredRecordsOutput() {
        super(ByteArrayCodec.INSTANCE, new ArrayList<>());
        reset();
    }

    @Override
    public void multi(int count) {
        if (next == Next.ID && output.isEmpty() && count > 0 && output instanceof ArrayList<StoredRecord> list) {
            list.ensureCapacity(count);
        }
    }

    @Override
    public void set(ByteBuffer bytes) {
        switch (next) {
            case ID -> {
                offset = bytes == null ? -1 : parseLong(bytes, '-');
                next = Next.NAME;
            }
            case NAME -> {
                field = bytes == null ? 0 : fieldOf(bytes);
                next = Next.VALUE;
            }
            case VALUE -> {
                store(bytes);
                next = Next.NAME;
            }
            default -> throw new IllegalStateException(String.valueOf(next));
        }
    }

    @Override
    public void complete(int depth) {
        if (depth == 1 && next != Next.ID) {
            output.add(new StoredRecord(offset, timestamp, key, value, headers, batch));
            reset();
        }
    }

    private void reset() {
        next = Next.ID;
        offset = -1;
        timestamp = -1;
        key = null;
        value = null;
        headers = NO_HEADERS;
        batch = null;
    }

    private void store(ByteBuffer bytes) {
        if (bytes == null) {
            return;
        }
        switch (field) {
            case 't' -> timestamp = parseLong(bytes, (char) 0);
            case 'k' -> key = copy(bytes);
            case 'v' -> value = copy(bytes);
            case 'h' -> headers = StreamEntryCodec.decodeHeaders(copy(bytes));
            case 'b' -> batch = BatchHeader.decode(new String(copy(bytes), StandardCharsets.US_ASCII));
            default -> {
                // A field Korvet does not write (added by someone else with XADD): ignored.
            }
        }
    }

    /** The field a name stands for ('t', 'k', 'v', 'h', 'b'), or 0 for a name Korvet does not write. */
    private static byte fieldOf(ByteBuffer name) {
        if (matches(name, StreamEntryCodec.VALUE)) {
            return 'v';
        }
        if (matches(name, StreamEntryCodec.TS)) {
            return 't';
        }
        if (matches(name, StreamEntryCodec.KEY)) {
            return 'k';
        }
        if (matches(name, StreamEntryCodec.HEADERS)) {
            return 'h';
        }
        if (matches(name, StreamEntryCodec.BATCH)) {
            return 'b';
        }
        return 0;
    }

    /** Whether a field name in the reply is {@code name}. */
    static boolean matches(ByteBuffer bytes, byte[] name) {
        if (bytes.remaining() != name.length) {
            return false;
        }
        int p = bytes.position();
        for (int i = 0; i < name.length; i++) {
            if (bytes.get(p + i) != name[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] copy(ByteBuffer bytes) {
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        return out;
    }

    /** A decimal number at the start of {@code bytes}, up to {@code stop} or the end. */
    static long parseLong(ByteBuffer bytes, char stop) {
        int p = bytes.position();
        int end = bytes.limit();
        boolean negative = p < end && bytes.get(p) == '-';
        if (negative) {
            p++;
        }
        long n = 0;
        int digits = 0;
        for (; p < end; p++) {
            byte c = bytes.get(p);
            if (c == stop && digits > 0) {
                break;
            }
            if (c < '0' || c > '9' || digits == 18) {
                // Not plain digits, or long enough to overflow: let the JDK parse (and refuse) it.
                return slowParse(bytes, stop);
            }
            n = n * 10 + (c - '0');
            digits++;
        }
        if (digits == 0) {
            return slowParse(bytes, stop);
        }
        return negative ? -n : n;
    }

    private static long slowParse(ByteBuffer bytes, char stop) {
        String text = StandardCharsets.US_ASCII.decode(bytes.duplicate()).toString();
        int cut = stop == 0 ? -1 : text.indexOf(stop, 1);
        return Long.parseLong(cut < 0 ? text : text.substring(0, cut));
    }
}
