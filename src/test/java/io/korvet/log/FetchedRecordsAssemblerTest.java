package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class FetchedRecordsAssemblerTest {

    private static final Header[] NONE = new Header[0];
    private static final long LOG_APPEND = 1_700_000_500_000L;

    private static byte[] b(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(ByteBuffer buffer) {
        return buffer == null ? null : new String(Utils.toArray(buffer), StandardCharsets.UTF_8);
    }

    /** Offsets 10-12: an idempotent CreateTime batch; offsets 13-14: a plain LogAppendTime batch. */
    private static List<StoredRecord> twoBatches() {
        Header[] headers = {new RecordHeader("trace", b("abc")), new RecordHeader("empty", null)};
        return List.of(
                new StoredRecord(10, 1_700_000_000_000L, b("k0"), b("v0"), headers,
                        new BatchHeader(555, (short) 2, 100, 3, BatchHeader.CREATE_TIME)),
                new StoredRecord(11, 1_700_000_000_007L, null, b("v1"), NONE, null),
                new StoredRecord(12, 1_700_000_000_003L, b("k2"), null, NONE, null),
                new StoredRecord(13, LOG_APPEND, b("k3"), b("v3"), NONE,
                        new BatchHeader(-1, (short) -1, -1, 2, BatchHeader.LOG_APPEND_TIME)),
                new StoredRecord(14, LOG_APPEND, b("k4"), b("v4"), new Header[] {new RecordHeader("h", b("x"))}, null));
    }

    private static List<RecordBatch> batches(MemoryRecords records) {
        List<RecordBatch> out = new ArrayList<>();
        records.batches().forEach(batch -> {
            batch.ensureValid();
            out.add(batch);
        });
        return out;
    }

    private static List<Record> records(RecordBatch batch) {
        List<Record> out = new ArrayList<>();
        batch.forEach(out::add);
        return out;
    }

    private static int sizeOf(List<StoredRecord> records) {
        return FetchedRecordsAssembler.assemble(records, Integer.MAX_VALUE, false, TimestampType.CREATE_TIME).sizeInBytes();
    }

    @Test
    void offsetGapsLeftByCompactionAreKeptAndSizedRight() {
        // Offset deltas of 0, 70 and 200 take one, two and two varint bytes: the sizes must count the deltas, not the
        // records' positions.
        List<StoredRecord> records = List.of(
                new StoredRecord(0, 1_700_000_000_000L, b("a"), b("1"), NONE, new BatchHeader(-1, (short) -1, -1, 1, BatchHeader.CREATE_TIME)),
                new StoredRecord(70, 1_700_000_000_000L, b("b"), b("2"), NONE, null),
                new StoredRecord(200, 1_700_000_000_000L, b("c"), null, NONE, null));
        FetchedRecordsAssembler.Assembled a = FetchedRecordsAssembler.assemble(records, Integer.MAX_VALUE, false, TimestampType.CREATE_TIME);

        assertThat(a.sizeInBytes()).isEqualTo(a.records().sizeInBytes());
        List<RecordBatch> batches = batches(a.records());
        assertThat(batches).hasSize(1);
        assertThat(records(batches.get(0))).extracting(Record::offset).containsExactly(0L, 70L, 200L);
        assertThat(a.nextOffset()).isEqualTo(201);
    }

    @Test
    void eachProduceBatchBecomesOneV2Batch() {
        FetchedRecordsAssembler.Assembled a = FetchedRecordsAssembler.assemble(twoBatches(), Integer.MAX_VALUE, false, TimestampType.CREATE_TIME);

        assertThat(a.sizeInBytes()).isEqualTo(a.records().sizeInBytes()).isPositive();
        List<RecordBatch> batches = batches(a.records());
        assertThat(batches).hasSize(2);

        RecordBatch first = batches.get(0);
        assertThat(first.magic()).isEqualTo(RecordBatch.MAGIC_VALUE_V2);
        assertThat(first.baseOffset()).isEqualTo(10);
        assertThat(first.lastOffset()).isEqualTo(12);
        assertThat(first.producerId()).isEqualTo(555);
        assertThat(first.producerEpoch()).isEqualTo((short) 2);
        assertThat(first.baseSequence()).isEqualTo(100);
        assertThat(first.lastSequence()).isEqualTo(102);
        assertThat(first.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(first.maxTimestamp()).isEqualTo(1_700_000_000_007L);
        List<Record> r = records(first);
        assertThat(r).extracting(Record::offset).containsExactly(10L, 11L, 12L);
        assertThat(r).extracting(Record::timestamp).containsExactly(1_700_000_000_000L, 1_700_000_000_007L, 1_700_000_000_003L);
        assertThat(r).extracting(x -> s(x.key())).containsExactly("k0", null, "k2");
        assertThat(r).extracting(x -> s(x.value())).containsExactly("v0", "v1", null);
        assertThat(r.get(0).headers()).extracting(Header::key).containsExactly("trace", "empty");
        assertThat(r.get(0).headers()[0].value()).isEqualTo(b("abc"));
        assertThat(r.get(0).headers()[1].value()).isNull();
        assertThat(r.get(1).headers()).isEmpty();

        RecordBatch second = batches.get(1);
        assertThat(second.baseOffset()).isEqualTo(13);
        assertThat(second.lastOffset()).isEqualTo(14);
        assertThat(second.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(second.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
        assertThat(second.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(second.maxTimestamp()).isEqualTo(LOG_APPEND);
        List<Record> r2 = records(second);
        assertThat(r2).extracting(Record::timestamp).containsOnly(LOG_APPEND);
        assertThat(r2).extracting(x -> s(x.value())).containsExactly("v3", "v4");
        assertThat(r2.get(1).headers()).singleElement().satisfies(h -> assertThat(h.key()).isEqualTo("h"));
    }

    @Test
    void fetchFromTheMiddleOfABatchStartsABatchAtThatRecord() {
        List<StoredRecord> fromMiddle = twoBatches().subList(1, 5);

        List<RecordBatch> batches = batches(FetchedRecordsAssembler.assemble(fromMiddle, Integer.MAX_VALUE, false, TimestampType.CREATE_TIME).records());

        assertThat(batches).hasSize(2);
        RecordBatch partial = batches.get(0);
        assertThat(partial.baseOffset()).isEqualTo(11);
        assertThat(partial.lastOffset()).isEqualTo(12);
        assertThat(partial.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(partial.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
        assertThat(records(partial)).extracting(x -> s(x.value())).containsExactly("v1", null);
        assertThat(batches.get(1).baseOffset()).isEqualTo(13);
    }

    @Test
    void fetchFromTheMiddleOfALogAppendTimeBatchKeepsItsTimestampType() {
        List<StoredRecord> fromMiddle = twoBatches().subList(4, 5);

        List<RecordBatch> batches = batches(FetchedRecordsAssembler.assemble(fromMiddle, Integer.MAX_VALUE, false, TimestampType.LOG_APPEND_TIME).records());

        assertThat(batches).singleElement().satisfies(b -> assertThat(b.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME));
    }

    @Test
    void byteLimitTruncatesAtRecordGranularity() {
        List<StoredRecord> all = sameTimestamps(twoBatches());
        int firstTwo = sizeOf(all.subList(0, 2));
        int firstThree = sizeOf(all.subList(0, 3));
        int firstFour = sizeOf(all.subList(0, 4));

        FetchedRecordsAssembler.Assembled two = FetchedRecordsAssembler.assemble(all, firstThree - 1, false, TimestampType.CREATE_TIME);
        assertThat(two.sizeInBytes()).isEqualTo(firstTwo);
        assertThat(batches(two.records())).singleElement().satisfies(b -> assertThat(b.lastOffset()).isEqualTo(11));

        FetchedRecordsAssembler.Assembled three = FetchedRecordsAssembler.assemble(all, firstThree, false, TimestampType.CREATE_TIME);
        assertThat(three.sizeInBytes()).isEqualTo(firstThree);

        // The next record opens a new batch: it needs a batch header as well as its own bytes.
        FetchedRecordsAssembler.Assembled stillThree = FetchedRecordsAssembler.assemble(all, firstFour - 1, false, TimestampType.CREATE_TIME);
        assertThat(stillThree.sizeInBytes()).isEqualTo(firstThree);
        assertThat(FetchedRecordsAssembler.assemble(all, firstFour, false, TimestampType.CREATE_TIME).sizeInBytes()).isEqualTo(firstFour);
    }

    @Test
    void byteLimitIsNeverExceededWhateverTheTimestamps() {
        List<StoredRecord> records = new ArrayList<>();
        long ts = 1_700_000_000_000L;
        for (int i = 0; i < 50; i++) {
            // Timestamps far from the batch's first one take more varint bytes than a zero delta.
            records.add(new StoredRecord(i, ts + i * 86_400_000L, b("key" + i), b("value" + i), NONE,
                    i == 0 ? new BatchHeader(1, (short) 0, 0, 50, BatchHeader.CREATE_TIME) : null));
        }
        for (int limit = 100; limit <= 2000; limit += 37) {
            FetchedRecordsAssembler.Assembled a = FetchedRecordsAssembler.assemble(records, limit, false, TimestampType.CREATE_TIME);
            assertThat(a.sizeInBytes()).as("limit %d", limit).isLessThanOrEqualTo(limit);
            batches(a.records());
        }
    }

    @Test
    void atLeastOneReturnsTheFirstRecordEvenOverTheLimit() {
        List<StoredRecord> big = List.of(
                new StoredRecord(0, 1, b("k"), new byte[5000], NONE, new BatchHeader(-1, (short) -1, -1, 2, BatchHeader.CREATE_TIME)),
                new StoredRecord(1, 1, b("k"), b("small"), NONE, null));

        FetchedRecordsAssembler.Assembled one = FetchedRecordsAssembler.assemble(big, 100, true, TimestampType.CREATE_TIME);
        assertThat(one.sizeInBytes()).isGreaterThan(5000);
        assertThat(batches(one.records())).singleElement().satisfies(batch -> {
            assertThat(batch.baseOffset()).isZero();
            assertThat(batch.lastOffset()).isZero();
        });

        FetchedRecordsAssembler.Assembled none = FetchedRecordsAssembler.assemble(big, 100, false, TimestampType.CREATE_TIME);
        assertThat(none.sizeInBytes()).isZero();
        assertThat(none.records().sizeInBytes()).isZero();
    }

    @Test
    void zeroLimitWithAtLeastOneStillReturnsOne() {
        FetchedRecordsAssembler.Assembled one = FetchedRecordsAssembler.assemble(twoBatches(), 0, true, TimestampType.CREATE_TIME);

        assertThat(batches(one.records())).singleElement().satisfies(b -> {
            assertThat(b.baseOffset()).isEqualTo(10);
            assertThat(b.lastOffset()).isEqualTo(10);
        });
    }

    @Test
    void noRecordsIsEmpty() {
        FetchedRecordsAssembler.Assembled a = FetchedRecordsAssembler.assemble(List.of(), 1000, true, TimestampType.CREATE_TIME);

        assertThat(a.sizeInBytes()).isZero();
        assertThat(a.records().sizeInBytes()).isZero();
        assertThat(a.records().batches()).isEmpty();
    }

    @Test
    void batchesAreByteForByteWhatKafkaClientsBuilds() {
        List<StoredRecord> mixed = new ArrayList<>(twoBatches());
        // A batch whose records go back in time (negative timestamp deltas), a plain one from a partition without
        // producer state, one with invalid producer fields, and one that starts in the middle of a produce batch.
        mixed.add(new StoredRecord(15, 1_700_000_900_000L, null, null, NONE,
                new BatchHeader(7, (short) 0, 2_000_000_000, 3, BatchHeader.CREATE_TIME)));
        mixed.add(new StoredRecord(16, 1_600_000_000_000L, b(""), b(""), NONE, null));
        mixed.add(new StoredRecord(17, 0, b("k"), new byte[300], new Header[] {new RecordHeader("\u00e9t\u00e9", new byte[200])}, null));
        mixed.add(new StoredRecord(18, 5, b("k"), b("v"), NONE, new BatchHeader(9, (short) -1, 4, 1, BatchHeader.CREATE_TIME)));
        for (int from = 0; from < mixed.size(); from++) {
            for (TimestampType type : new TimestampType[] {TimestampType.CREATE_TIME, TimestampType.LOG_APPEND_TIME}) {
                List<StoredRecord> slice = mixed.subList(from, mixed.size());
                MemoryRecords ours = FetchedRecordsAssembler.assemble(slice, Integer.MAX_VALUE, false, type).records();
                assertThat(Utils.toArray(ours.buffer())).as("from %d, %s", from, type).isEqualTo(referenceBytes(slice, type));
            }
        }
    }

    @Test
    void aNegativeTimestampOtherThanNoneIsRefusedAsKafkaClientsRefusesIt() {
        List<StoredRecord> bad = List.of(new StoredRecord(0, -5, null, b("v"), NONE, null));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> FetchedRecordsAssembler.assemble(bad, Integer.MAX_VALUE, true, TimestampType.CREATE_TIME))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
        List<StoredRecord> none = List.of(new StoredRecord(0, -1, null, b("v"), NONE, null));
        assertThat(Utils.toArray(FetchedRecordsAssembler.assemble(none, Integer.MAX_VALUE, true, TimestampType.CREATE_TIME).records().buffer()))
                .isEqualTo(referenceBytes(none, TimestampType.CREATE_TIME));
    }

    /** What kafka-clients' MemoryRecordsBuilder writes for these records, split where produce batches start. */
    private static byte[] referenceBytes(List<StoredRecord> records, TimestampType topicType) {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        int i = 0;
        while (i < records.size()) {
            int j = i + 1;
            while (j < records.size() && records.get(j).batch() == null) {
                j++;
            }
            StoredRecord first = records.get(i);
            BatchHeader h = first.batch();
            boolean logAppend = h != null ? h.timestampType() == BatchHeader.LOG_APPEND_TIME : topicType == TimestampType.LOG_APPEND_TIME;
            boolean whole = h != null && h.producerId() >= 0 && h.producerEpoch() >= 0 && h.baseSequence() >= 0;
            MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.MAGIC_VALUE_V2, Compression.NONE,
                    logAppend ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME, first.offset(),
                    logAppend ? first.timestamp() : RecordBatch.NO_TIMESTAMP,
                    whole ? h.producerId() : RecordBatch.NO_PRODUCER_ID, whole ? h.producerEpoch() : RecordBatch.NO_PRODUCER_EPOCH,
                    whole ? h.baseSequence() : RecordBatch.NO_SEQUENCE, false, RecordBatch.NO_PARTITION_LEADER_EPOCH);
            for (StoredRecord r : records.subList(i, j)) {
                builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
            }
            builder.close();
            buffer = builder.buffer();
            i = j;
        }
        buffer.flip();
        return Utils.toArray(buffer);
    }

    private static List<StoredRecord> sameTimestamps(List<StoredRecord> in) {
        List<StoredRecord> out = new ArrayList<>();
        for (StoredRecord r : in) {
            out.add(new StoredRecord(r.offset(), 1_700_000_000_000L, r.key(), r.value(), r.headers(), r.batch()));
        }
        return out;
    }
}
