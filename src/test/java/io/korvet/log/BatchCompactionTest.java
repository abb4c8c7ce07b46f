package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.BufferSupplier;
import org.junit.jupiter.api.Test;

/** Which records compaction keeps, and how a batch-format entry is kept, dropped or rebuilt. */
class BatchCompactionTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long PID = 77;
    private static final short EPOCH = 3;
    private static final BufferSupplier BUFFERS = BufferSupplier.create();

    private static byte[] b(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** An idempotent gzip batch at offsets 100-104, base sequence 40: keys k0 k1 k2, k3 a tombstone, then no key. */
    private static ByteBuffer batch() {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(4096), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.gzip().build(), TimestampType.CREATE_TIME, 100, 1_000L, PID, EPOCH, 40);
        builder.append(new SimpleRecord(1_000L, b("k0"), b("v0")));
        builder.append(new SimpleRecord(1_001L, b("k1"), b("v1")));
        builder.append(new SimpleRecord(1_002L, b("k2"), b("v2")));
        builder.append(new SimpleRecord(1_003L, b("k3"), null));
        builder.append(new SimpleRecord(1_004L, null, b("no key")));
        return builder.build().buffer();
    }

    private static OffsetMap latest(Object... keysAndOffsets) {
        OffsetMap map = new OffsetMap(1 << 20, 0.9, 100);
        for (int i = 0; i < keysAndOffsets.length; i += 2) {
            map.put(b((String) keysAndOffsets[i]), ((Number) keysAndOffsets[i + 1]).longValue());
        }
        return map;
    }

    private static RecordRetention retention(OffsetMap map, long tombstonesBelow, Set<Long> producersLast) {
        return new RecordRetention(TP, map, tombstonesBelow, producersLast, CompactionTransactions.NONE);
    }

    private static RecordBatch only(byte[] data) {
        RecordBatch batch = MemoryRecords.readableRecords(ByteBuffer.wrap(data)).batches().iterator().next();
        batch.ensureValid();
        return batch;
    }

    private static List<Long> offsets(RecordBatch batch) {
        List<Long> out = new ArrayList<>();
        for (Record r : batch) {
            out.add(r.offset());
        }
        return out;
    }

    @Test
    void recordsGoWhenSupersededKeylessOrTombstonesPastTheirHorizon() {
        RecordRetention r = retention(latest("a", 10, "t", 12), 12, Set.of());
        assertThat(r.keep(5, ByteBuffer.wrap(b("a")), true, -1, false)).as("superseded").isFalse();
        assertThat(r.keep(10, ByteBuffer.wrap(b("a")), true, -1, false)).as("latest").isTrue();
        assertThat(r.keep(3, ByteBuffer.wrap(b("other")), true, -1, false)).as("not in the dirty part").isTrue();
        assertThat(r.keep(4, null, true, -1, false)).as("no key").isFalse();
        assertThat(r.keep(11, ByteBuffer.wrap(b("x")), false, -1, false)).as("tombstone below the horizon").isFalse();
        assertThat(r.keep(12, ByteBuffer.wrap(b("t")), false, -1, false)).as("tombstone at the horizon").isTrue();
        assertThat(r.keepEntry(0, true)).isTrue();
        assertThat(r.keepEntry(50, false)).isFalse();
        assertThat(r.keepMarker(PID, 13, false)).as("markers stay without transactions").isTrue();
    }

    @Test
    void aSupersededTransactionalRecordKeptWithItsEntryKeepsItsMarker() {
        // Markers may go (their transaction is over and past the horizon) once no record of their transaction stays.
        CompactionTransactions removable = new CompactionTransactions() {
            @Override
            public boolean removeMarker(TopicPartition tp, long producerId, long offset, boolean abort, long removableBelow) {
                return true;
            }
        };
        RecordRetention r = new RecordRetention(TP, latest("k0", 10), 0, Set.of(), removable);
        // The log's first record (record format: its own entry) stays though k0 was written again at 10.
        assertThat(r.keep(0, ByteBuffer.wrap(b("k0")), true, PID, true, true)).isTrue();
        assertThat(r.keepMarker(PID, 1, false)).as("the marker of a transaction with a record left").isTrue();
        assertThat(r.keep(2, ByteBuffer.wrap(b("k0")), true, PID, true, false)).isFalse();
        assertThat(r.keepMarker(PID, 3, false)).as("the marker of a transaction with no record left").isFalse();
    }

    @Test
    void aBatchWhoseRecordsAllStayIsKeptAsItIs() {
        RecordRetention r = retention(latest("k0", 100), 0, Set.of());
        ByteBuffer onlyK0 = MemoryRecords.withRecords(100, Compression.NONE, new SimpleRecord(1L, b("k0"), b("v"))).buffer();
        BatchCompaction.Outcome o = BatchCompaction.filter(onlyK0, false, r, 0, 0, BUFFERS);
        assertThat(o.kind()).isEqualTo(BatchCompaction.Kind.KEEP);
        assertThat(o.recordsAfter()).isEqualTo(1);
    }

    @Test
    void aPartlySupersededBatchIsRebuiltWithItsOffsetsProducerFieldsAndCompression() {
        // k1 superseded at 200; the tombstone k3 (103) is within its horizon; the keyless record goes.
        RecordRetention r = retention(latest("k1", 200), 50, Set.of());
        BatchCompaction.Outcome o = BatchCompaction.filter(batch(), false, r, 5_000, 1_000, BUFFERS);

        assertThat(o.kind()).isEqualTo(BatchCompaction.Kind.REWRITE);
        assertThat(o.recordsBefore()).isEqualTo(5);
        assertThat(o.recordsAfter()).isEqualTo(3);
        RecordBatch rebuilt = only(o.data());
        assertThat(rebuilt.baseOffset()).isEqualTo(100);
        assertThat(rebuilt.lastOffset()).as("the last offset, and so the last sequence, stay").isEqualTo(104);
        assertThat(rebuilt.producerId()).isEqualTo(PID);
        assertThat(rebuilt.producerEpoch()).isEqualTo(EPOCH);
        assertThat(rebuilt.baseSequence()).isEqualTo(40);
        assertThat(rebuilt.lastSequence()).isEqualTo(44);
        assertThat(rebuilt.compressionType()).isEqualTo(org.apache.kafka.common.record.internal.CompressionType.GZIP);
        assertThat(offsets(rebuilt)).containsExactly(100L, 102L, 103L);
        assertThat(o.maxTimestamp()).isEqualTo(1_003L);
    }

    @Test
    void aBatchWithNothingLeftGoesUnlessItMustStayThenItStaysEmpty() {
        RecordRetention none = retention(latest("k0", 200, "k1", 200, "k2", 200), Long.MAX_VALUE, Set.of(100L));
        assertThat(BatchCompaction.filter(batch(), false, retention(latest("k0", 200, "k1", 200, "k2", 200), Long.MAX_VALUE,
                Set.of()), 0, 0, BUFFERS).kind()).isEqualTo(BatchCompaction.Kind.DROP);

        // A producer's last batch (and the log's first) stays as its header alone, offsets and sequences kept.
        BatchCompaction.Outcome o = BatchCompaction.filter(batch(), false, none, 0, 0, BUFFERS);
        assertThat(o.kind()).isEqualTo(BatchCompaction.Kind.REWRITE);
        assertThat(o.recordsAfter()).isZero();
        RecordBatch empty = only(o.data());
        assertThat(empty.baseOffset()).isEqualTo(100);
        assertThat(empty.lastOffset()).isEqualTo(104);
        assertThat(empty.lastSequence()).isEqualTo(44);
        assertThat(offsets(empty)).isEmpty();

        // An empty batch is kept as it is on the next pass.
        assertThat(BatchCompaction.filter(ByteBuffer.wrap(o.data()), true, none, 0, 0, BUFFERS).kind())
                .isEqualTo(BatchCompaction.Kind.KEEP);
    }

    @Test
    void transactionMarkersStay() {
        ByteBuffer marker = MemoryRecords.withEndTransactionMarker(300, 1_000L, 0, PID, EPOCH,
                new EndTransactionMarker(ControlRecordType.COMMIT, 0)).buffer();
        BatchCompaction.Outcome o = BatchCompaction.filter(marker, false, retention(latest(), Long.MAX_VALUE, Set.of()), 0, 0, BUFFERS);
        assertThat(o.kind()).isEqualTo(BatchCompaction.Kind.KEEP);
    }

    @Test
    void theKeysOfTheDirtyPartAreMappedToTheirLatestOffsets() {
        OffsetMap map = new OffsetMap(1 << 20, 0.9, 10);
        assertThat(BatchCompaction.mapKeys(batch(), map, (pid, offset, txn) -> true, BUFFERS)).isTrue();
        assertThat(map.get(b("k2"))).isEqualTo(102);
        assertThat(map.get(b("k3"))).isEqualTo(103);
        assertThat(map.size()).isEqualTo(4);

        OffsetMap tiny = new OffsetMap(48, 1.0, 10);
        assertThat(BatchCompaction.mapKeys(batch(), tiny, (pid, offset, txn) -> true, BUFFERS)).as("the map fills up").isFalse();
    }
}
