package io.korvet.log;

import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * A topic's {@code compression.type} applied to a {@code batch}-format append, as Kafka's log validator applies it:
 * {@code producer} keeps the producer's codec, any other value names the codec the stored batch must have, and a
 * batch in another codec is written again in that one (same producer fields, offsets and timestamps).
 */
final class BatchRecompression {

    private BatchRecompression() {
    }

    /** The codec a batch sent in {@code sent} is stored in on a topic with this {@code compression.type}. */
    static CompressionType target(String topicCompression, CompressionType sent) {
        if (topicCompression == null || topicCompression.equals("producer")) {
            return sent;
        }
        if (topicCompression.equals("uncompressed")) {
            return CompressionType.NONE;
        }
        return CompressionType.forName(topicCompression);
    }

    /**
     * The batch's records in one new batch compressed with {@code target}; {@code logAppendTime} is the broker's time
     * on a LogAppendTime topic, else -1.
     */
    static MemoryRecords recompress(MutableRecordBatch batch, CompressionType target, long logAppendTime) {
        int estimate = Math.max(1024, batch.sizeInBytes() * 2);
        TimestampType type = logAppendTime >= 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(estimate), RecordBatch.MAGIC_VALUE_V2,
                Compression.of(target).build(), type, batch.baseOffset(), logAppendTime, batch.producerId(),
                batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(), batch.partitionLeaderEpoch());
        for (Record r : batch) {
            builder.appendWithOffset(r.offset(), r);
        }
        return builder.build();
    }
}
