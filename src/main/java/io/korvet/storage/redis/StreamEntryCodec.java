package io.korvet.storage.redis;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    public static String entryId(long offset) {
        return offset + "-1";
    }

    public static long offsetOf(String entryId) {
        int dash = entryId.indexOf('-');
        return Long.parseLong(dash < 0 ? entryId : entryId.substring(0, dash));
    }

    /** The field/value pairs of a record's entry; {@code batch} only on a batch's first record. */
    static byte[][] fields(NewRecord r, BatchHeader batch) {
        byte[][] out = new byte[10][];
        int n = 0;
        out[n++] = TS;
        out[n++] = bytes(Long.toString(r.timestamp()));
        if (r.key() != null) {
            out[n++] = KEY;
            out[n++] = r.key();
        }
        if (r.value() != null) {
            out[n++] = VALUE;
            out[n++] = r.value();
        }
        if (r.headers() != null && r.headers().length > 0) {
            out[n++] = HEADERS;
            out[n++] = encodeHeaders(r.headers());
        }
        if (batch != null) {
            out[n++] = BATCH;
            out[n++] = bytes(batch.encode());
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
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
