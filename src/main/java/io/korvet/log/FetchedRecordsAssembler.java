package io.korvet.log;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Turns records read from a stream back into v2 record batches for a Fetch response: one batch per
 * original produce batch (with its producer id, epoch, base sequence and timestamp type), a fetch from
 * the middle of a produce batch starting a batch at that record, and the total held within a byte limit.
 */
public final class FetchedRecordsAssembler {

    private FetchedRecordsAssembler() {
    }

    /** The assembled batches and the bytes they take. */
    public record Assembled(MemoryRecords records, int sizeInBytes) {
    }

    /**
     * @param byteLimit bytes not to exceed, unless {@code atLeastOne} and even the first record is larger
     * @param topicTimestampType the topic's timestamp type, for a batch that starts in the middle of a
     *     produce batch (whose header, on the produce batch's first record, was not read)
     */
    public static Assembled assemble(List<StoredRecord> records, int byteLimit, boolean atLeastOne,
                                     TimestampType topicTimestampType) {
        int total = 0;
        int end = 0;
        int batchStart = 0;
        // Decide how many records fit, counting each batch's header once.
        for (int i = 0; i < records.size(); i++) {
            StoredRecord r = records.get(i);
            boolean newBatch = i == 0 || r.batch() != null;
            if (newBatch) {
                batchStart = i;
            }
            long timestampDelta = r.timestamp() - records.get(batchStart).timestamp();
            int size = DefaultRecord.sizeInBytes(i - batchStart, timestampDelta, length(r.key()), length(r.value()), r.headers())
                    + (newBatch ? DefaultRecordBatch.RECORD_BATCH_OVERHEAD : 0);
            if (total + size > byteLimit && !(atLeastOne && i == 0)) {
                break;
            }
            total += size;
            end = i + 1;
        }
        if (end == 0) {
            return new Assembled(MemoryRecords.EMPTY, 0);
        }
        ByteBuffer buffer = ByteBuffer.allocate(total + 64);
        int i = 0;
        while (i < end) {
            int j = i + 1;
            while (j < end && records.get(j).batch() == null) {
                j++;
            }
            buffer = writeBatch(buffer, records.subList(i, j), topicTimestampType);
            i = j;
        }
        buffer.flip();
        MemoryRecords built = MemoryRecords.readableRecords(buffer);
        return new Assembled(built, built.sizeInBytes());
    }

    private static ByteBuffer writeBatch(ByteBuffer buffer, List<StoredRecord> group, TimestampType topicTimestampType) {
        StoredRecord first = group.get(0);
        BatchHeader h = first.batch();
        boolean logAppend = h != null
                ? h.timestampType() == BatchHeader.LOG_APPEND_TIME
                : topicTimestampType == TimestampType.LOG_APPEND_TIME;
        TimestampType type = logAppend ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        // Producer fields only for a whole batch that has valid ones (a record batch cannot carry a producer id
        // with a negative epoch or sequence).
        boolean whole = h != null && h.producerId() >= 0 && h.producerEpoch() >= 0 && h.baseSequence() >= 0;
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.MAGIC_VALUE_V2, Compression.NONE, type,
                first.offset(), logAppend ? first.timestamp() : RecordBatch.NO_TIMESTAMP,
                whole ? h.producerId() : RecordBatch.NO_PRODUCER_ID,
                whole ? h.producerEpoch() : RecordBatch.NO_PRODUCER_EPOCH,
                whole ? h.baseSequence() : RecordBatch.NO_SEQUENCE,
                false, 0);
        for (StoredRecord r : group) {
            builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
        }
        builder.close();
        ByteBuffer out = builder.buffer();
        return out;
    }

    private static int length(byte[] b) {
        return b == null ? -1 : b.length;
    }
}
