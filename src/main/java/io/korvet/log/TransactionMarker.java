package io.korvet.log;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.korvet.storage.StreamFormat;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.Utils;

/**
 * The control batch that ends a producer's transaction in one partition (a COMMIT or ABORT marker), as Kafka writes
 * it: one control record, transactional, with the producer's id and epoch and no sequence.
 */
public record TransactionMarker(long producerId, short producerEpoch, boolean commit, int coordinatorEpoch) {

    BatchHeader header() {
        byte flags = (byte) (BatchHeader.TRANSACTIONAL | BatchHeader.CONTROL | (commit ? 0 : BatchHeader.ABORT));
        return new BatchHeader(producerId, producerEpoch, -1, 1, BatchHeader.CREATE_TIME, flags);
    }

    /** The marker as a batch to append to a stream of {@code format}, at {@code now}. */
    IncomingBatch toBatch(StreamFormat format, long now) {
        EndTransactionMarker marker = new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
                coordinatorEpoch);
        if (format == StreamFormat.BATCH) {
            MemoryRecords records = MemoryRecords.withEndTransactionMarker(0L, now, -1, producerId, producerEpoch, marker);
            MutableRecordBatch batch = records.batches().iterator().next();
            return IncomingBatch.stored(header(), batch, records.buffer(), now, -1L);
        }
        ByteBuffer key = marker.controlType().recordKey();
        ByteBuffer value = marker.serializeValue();
        return IncomingBatch.records(header(), List.of(new NewRecord(now, Utils.toArray(key), Utils.toArray(value), null)), -1L);
    }
}
