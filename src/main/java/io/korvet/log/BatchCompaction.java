package io.korvet.log;

import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetention;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;

/**
 * Compaction of {@code batch}-format entries, each one v2 record batch. The records a batch keeps are chosen by a
 * {@link RecordRetention}; a batch keeping some is rebuilt by kafka-clients' own {@link MemoryRecords#filterTo}, as
 * Kafka's cleaner rebuilds it: same base offset, same last offset (so the producer's last sequence stays), same
 * producer id, epoch, base sequence, flags and compression, tombstones stamped with their delete horizon (KIP-534).
 * A batch that must stay ({@link RecordRetention#keepEntry}) but keeps no record stays as an empty batch, its header
 * alone, as Kafka keeps a producer's last batch: consumers skip it, and the log's first one keeps the log start offset.
 */
final class BatchCompaction {

    enum Kind { KEEP, DROP, REWRITE }

    /** What becomes of a batch: its records before and after, and for a rewrite its new bytes and max timestamp. */
    record Outcome(Kind kind, int recordsBefore, int recordsAfter, byte[] data, long maxTimestamp) {
    }

    private BatchCompaction() {
    }

    /**
     * Puts the keys of the batch's records in the map (not a control batch's, nor an aborted transaction's). Returns
     * false, having put nothing more, when the map filled up before the batch's last record: the pass then cleans only
     * up to this batch.
     */
    static boolean mapKeys(ByteBuffer batch, OffsetMap map, KeyFilter mapped, BufferSupplier buffers) {
        for (MutableRecordBatch b : MemoryRecords.readableRecords(batch.duplicate()).batches()) {
            if (b.isControlBatch()) {
                continue;
            }
            try (var records = b.streamingIterator(buffers)) {
                while (records.hasNext()) {
                    Record r = records.next();
                    if (!r.hasKey() || !mapped.test(b.producerId(), r.offset(), b.isTransactional())) {
                        continue;
                    }
                    if (map.isFull() && map.get(r.key()) < 0) {
                        return false;
                    }
                    map.put(r.key(), r.offset());
                }
            }
        }
        return true;
    }

    /** Which records of the dirty part go into the offset map. */
    interface KeyFilter {
        boolean test(long producerId, long offset, boolean transactional);
    }

    /**
     * What to do with one stored batch.
     *
     * @param endOfLog whether it is the log's first or last entry (kept, if empty, rather than removed)
     */
    static Outcome filter(ByteBuffer batch, boolean endOfLog, RecordRetention retention, long now, long deleteRetentionMs,
                          BufferSupplier buffers) {
        MemoryRecords records = MemoryRecords.readableRecords(batch.duplicate());
        MutableRecordBatch only = records.batches().iterator().next();
        if (only.isControlBatch()) {
            boolean abort = only.iterator().hasNext()
                    && org.apache.kafka.common.record.internal.ControlRecordType.parse(only.iterator().next().key())
                    == org.apache.kafka.common.record.internal.ControlRecordType.ABORT;
            boolean keep = retention.keepMarker(only.producerId(), only.baseOffset(), abort)
                    || retention.keepEntry(only.baseOffset(), endOfLog);
            return new Outcome(keep ? Kind.KEEP : Kind.DROP, 1, keep ? 1 : 0, null, 0);
        }
        // A batch that must stay with none of its records stays as its header alone, as Kafka keeps it.
        BatchRetention whenEmpty = retention.keepEntry(only.baseOffset(), endOfLog)
                ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY;
        RecordFilter filter = new RecordFilter(now, deleteRetentionMs) {
            @Override
            protected BatchRetentionResult checkBatchRetention(RecordBatch b) {
                return new BatchRetentionResult(whenEmpty, false);
            }

            @Override
            protected boolean shouldRetainRecord(RecordBatch b, Record r) {
                return retention.keep(r.offset(), r.hasKey() ? r.key() : null, r.hasValue(), b.producerId(), b.isTransactional());
            }
        };
        MemoryRecords.FilterResult result = records.filterTo(filter, ByteBuffer.allocate(batch.remaining()), buffers);
        int read = result.messagesRead();
        int kept = result.messagesRetained();
        if (kept == read) {
            return new Outcome(Kind.KEEP, read, read, null, 0);
        }
        if (kept == 0 && whenEmpty == BatchRetention.DELETE_EMPTY) {
            return new Outcome(Kind.DROP, read, 0, null, 0);
        }
        ByteBuffer out = result.outputBuffer().duplicate();
        out.flip();
        byte[] data = new byte[out.remaining()];
        out.get(data);
        long maxTimestamp = MemoryRecords.readableRecords(ByteBuffer.wrap(data)).batches().iterator().next().maxTimestamp();
        return new Outcome(Kind.REWRITE, read, kept, data, maxTimestamp);
    }
}
