package io.korvet.storage.redis;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * How one record is laid out as a stream entry. The entry ID is {@code <offset>-1}; the fields are
 * {@code ts} (decimal milliseconds), {@code key} and {@code value} (raw bytes, absent when null),
 * {@code headers} (absent when there are none) and, on a batch's first record, {@code batch}.
 *
 * <p>Headers are encoded as a zig-zag varint count, then per header a varint key length, the UTF-8 key,
 * a varint value length (-1 for null) and the value bytes: the same varints as Kafka's record format.
 */
public final class StreamEntryCodec {

    static final byte[] TS = bytes("ts");
    static final byte[] KEY = bytes("key");
    static final byte[] VALUE = bytes("value");
    static final byte[] HEADERS = bytes("headers");
    static final byte[] BATCH = bytes("batch");
    private static final Header[] NO_HEADERS = new Header[0];

    private StreamEntryCodec() {
    }

    /** What follows the offset in every entry ID. */
    private static final String ID_SUFFIX = "-1";
    static final byte[] ENTRY_ID_SUFFIX = bytes(ID_SUFFIX);

    public static String entryId(long offset) {
        return offset + ID_SUFFIX;
    }

    public static long offsetOf(String entryId) {
        int dash = entryId.indexOf('-');
        return Long.parseLong(dash < 0 ? entryId : entryId.substring(0, dash));
    }

    /** Receives an entry's fields, in the order they are stored. */
    interface FieldSink {
        void field(byte[] name, byte[] value);

        /** A field holding a number in decimal digits. */
        void field(byte[] name, long number);
    }

    /** How many fields a record's entry has; {@code batch} only on a batch's first record. */
    static int fieldCount(NewRecord r, BatchHeader batch) {
        return 1 + (r.key() != null ? 1 : 0) + (r.value() != null ? 1 : 0)
                + (r.headers() != null && r.headers().length > 0 ? 1 : 0) + (batch != null ? 1 : 0);
    }

    /** The fields of a record's entry, in order: {@link #fieldCount} of them. */
    static void writeFields(NewRecord r, BatchHeader batch, FieldSink out) {
        out.field(TS, r.timestamp());
        if (r.key() != null) {
            out.field(KEY, r.key());
        }
        if (r.value() != null) {
            out.field(VALUE, r.value());
        }
        if (r.headers() != null && r.headers().length > 0) {
            out.field(HEADERS, encodeHeaders(r.headers()));
        }
        if (batch != null) {
            out.field(BATCH, bytes(batch.encode()));
        }
    }

    static byte[] encodeHeaders(Header[] headers) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            ByteUtils.writeVarint(headers.length, out);
            for (Header h : headers) {
                byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
                ByteUtils.writeVarint(k.length, out);
                out.write(k);
                if (h.value() == null) {
                    ByteUtils.writeVarint(-1, out);
                } else {
                    ByteUtils.writeVarint(h.value().length, out);
                    out.write(h.value());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Header[] decodeHeaders(byte[] encoded) {
        ByteBuffer in = ByteBuffer.wrap(encoded);
        int count = ByteUtils.readVarint(in);
        Header[] headers = new Header[count];
        for (int i = 0; i < count; i++) {
            byte[] k = new byte[ByteUtils.readVarint(in)];
            in.get(k);
            int len = ByteUtils.readVarint(in);
            byte[] v = null;
            if (len >= 0) {
                v = new byte[len];
                in.get(v);
            }
            headers[i] = new RecordHeader(new String(k, StandardCharsets.UTF_8), v);
        }
        return headers;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
