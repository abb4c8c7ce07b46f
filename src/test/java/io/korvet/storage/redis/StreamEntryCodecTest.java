package io.korvet.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.korvet.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class StreamEntryCodecTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Feeds one entry to the XRANGE output as Lettuce would parse it from Redis's reply. */
    private static StoredRecord decode(String id, byte[][] fields) {
        assertThat(fields.length % 2).isZero();
        StoredRecordsOutput out = new StoredRecordsOutput();
        out.multi(1);
        out.multi(2);
        out.set(ByteBuffer.wrap(b(id)));
        out.multi(fields.length);
        for (byte[] f : fields) {
            out.set(ByteBuffer.wrap(f));
        }
        out.complete(2);
        out.complete(1);
        out.complete(0);
        assertThat(out.get()).hasSize(1);
        return out.get().get(0);
    }

    private static List<String> names(byte[][] fields) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            names.add(s(fields[i]));
        }
        return names;
    }

    @Test
    void entryIdEncodesTheOffset() {
        assertThat(StreamEntryCodec.entryId(42)).isEqualTo("42-1");
        assertThat(StreamEntryCodec.entryId(0)).isEqualTo("0-1");
        assertThat(StreamEntryCodec.offsetOf("42-1")).isEqualTo(42);
        assertThat(StreamEntryCodec.offsetOf("0-1")).isZero();
        assertThat(StreamEntryCodec.offsetOf("42")).isEqualTo(42);
        long big = 9_000_000_000_000L;
        assertThat(StreamEntryCodec.offsetOf(StreamEntryCodec.entryId(big))).isEqualTo(big);
    }

    @Test
    void headersRoundTrip() {
        Header[] headers = {
                new RecordHeader("trace-id", b("abc-123")),
                new RecordHeader("null-value", null),
                new RecordHeader("empty-value", new byte[0]),
                new RecordHeader("ключ-🔑", b("значение")),
                new RecordHeader("", b("empty key")),
                new RecordHeader("binary", new byte[] {0, -1, 127, -128}),
                new RecordHeader("trace-id", b("repeated keys are kept"))};

        Header[] decoded = StreamEntryCodec.decodeHeaders(StreamEntryCodec.encodeHeaders(headers));

        assertThat(decoded).containsExactly(headers);
        assertThat(decoded[1].value()).isNull();
        assertThat(decoded[2].value()).isNotNull().isEmpty();
    }

    @Test
    void zeroHeadersRoundTrip() {
        byte[] encoded = StreamEntryCodec.encodeHeaders(new Header[0]);

        assertThat(encoded).containsExactly(0);
        assertThat(StreamEntryCodec.decodeHeaders(encoded)).isEmpty();
    }

    @Test
    void largeHeaderValueRoundTrips() {
        Header[] headers = {new RecordHeader("big", new byte[100_000])};

        assertThat(StreamEntryCodec.decodeHeaders(StreamEntryCodec.encodeHeaders(headers))).containsExactly(headers);
    }

    @Test
    void fieldsOmitNullKeyValueAndEmptyHeaders() {
        byte[][] minimal = EntryFields.of(new NewRecord(1234, null, null, new Header[0]), null);

        assertThat(names(minimal)).containsExactly("ts");
        assertThat(s(minimal[1])).isEqualTo("1234");
        assertThat(names(EntryFields.of(new NewRecord(1, null, null, null), null))).containsExactly("ts");
    }

    @Test
    void fieldsIncludeWhatIsPresentAndBatchOnlyWhenGiven() {
        NewRecord r = new NewRecord(99, b("k"), b("v"), new Header[] {new RecordHeader("h", b("x"))});
        BatchHeader batch = new BatchHeader(5, (short) 1, 10, 3, BatchHeader.CREATE_TIME);

        byte[][] without = EntryFields.of(r, null);
        byte[][] with = EntryFields.of(r, batch);

        assertThat(names(without)).containsExactly("ts", "key", "value", "headers");
        assertThat(names(with)).containsExactly("ts", "key", "value", "headers", "batch");
        assertThat(s(with[9])).isEqualTo("5,1,10,3,0");
        assertThat(names(EntryFields.of(new NewRecord(1, new byte[0], new byte[0], null), null)))
                .as("empty key and value are not null").containsExactly("ts", "key", "value");
    }

    @Test
    void decodeOfFieldsGivesTheRecordBack() {
        Header[] headers = {new RecordHeader("a", b("1")), new RecordHeader("b", null)};
        NewRecord r = new NewRecord(1_700_000_000_123L, b("key"), b("value"), headers);
        BatchHeader batch = new BatchHeader(77, (short) 2, 5, 4, BatchHeader.LOG_APPEND_TIME);

        StoredRecord first = decode(StreamEntryCodec.entryId(40), EntryFields.of(r, batch));
        StoredRecord next = decode(StreamEntryCodec.entryId(41), EntryFields.of(r, null));

        assertThat(first.offset()).isEqualTo(40);
        assertThat(first.timestamp()).isEqualTo(r.timestamp());
        assertThat(first.key()).isEqualTo(r.key());
        assertThat(first.value()).isEqualTo(r.value());
        assertThat(first.headers()).containsExactly(headers);
        assertThat(first.batch()).isEqualTo(batch);
        assertThat(next.offset()).isEqualTo(41);
        assertThat(next.batch()).isNull();
    }

    @Test
    void decodeKeepsNullsAndEmptiesApart() {
        NewRecord nulls = new NewRecord(-1, null, null, null);
        NewRecord empties = new NewRecord(0, new byte[0], new byte[0], new Header[0]);

        StoredRecord a = decode("3-1", EntryFields.of(nulls, null));
        StoredRecord e = decode("4-1", EntryFields.of(empties, null));

        assertThat(a.timestamp()).isEqualTo(-1);
        assertThat(a.key()).isNull();
        assertThat(a.value()).isNull();
        assertThat(a.headers()).isEmpty();
        assertThat(e.key()).isNotNull().isEmpty();
        assertThat(e.value()).isNotNull().isEmpty();
    }
}
