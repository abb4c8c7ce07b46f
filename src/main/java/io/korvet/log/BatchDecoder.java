package io.korvet.log;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.korvet.topic.Topic;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;

/**
 * Validates a partition's records from a Produce request as Kafka's broker does (one v2 batch, size
 * within {@code max.message.bytes}, CRC-32C, record count, keys on compacted topics), decompresses
 * them, and stamps the broker's time on {@code LogAppendTime} topics.
 */
public final class BatchDecoder {

    private BatchDecoder() {
    }

    public static IncomingBatch decode(TopicPartition tp, BaseRecords baseRecords, Topic topic, long now) {
        if (!(baseRecords instanceof MemoryRecords records) || records.sizeInBytes() == 0) {
            throw new InvalidRecordException("Produce request for " + tp + " must have exactly one record batch");
        }
        Iterator<MutableRecordBatch> batches = records.batches().iterator();
        MutableRecordBatch batch;
        try {
            batch = batches.next();
        } catch (RuntimeException e) {
            throw new CorruptRecordException("Record batch for " + tp + " cannot be read: " + e.getMessage());
        }
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
            throw new InvalidRecordException("Produce requests must use record batch format v2 (magic 2); got magic " + batch.magic());
        }
        if (batch.sizeInBytes() > topic.maxMessageBytes()) {
            throw new RecordTooLargeException("The record batch size in the append to " + tp + " is " + batch.sizeInBytes()
                    + " bytes which exceeds the maximum configured value of " + topic.maxMessageBytes() + ".");
        }
        try {
            batch.ensureValid();
        } catch (CorruptRecordException e) {
            throw new CorruptRecordException("Record batch for " + tp + " is corrupt: " + e.getMessage());
        }
        if (batches.hasNext()) {
            throw new InvalidRecordException("Produce requests must contain exactly one record batch per partition (" + tp + ")");
        }
        if (batch.isControlBatch()) {
            throw new InvalidRecordException("Clients may not send control batches (" + tp + ")");
        }
        if (batch.isTransactional()) {
            throw new InvalidRecordException("Korvet does not support transactions yet: transactional batch to " + tp + " rejected");
        }
        boolean logAppendTime = topic.logAppendTime();
        List<NewRecord> out = new ArrayList<>(Math.max(1, batch.countOrNull() == null ? 16 : batch.countOrNull()));
        try {
            for (Record r : batch) {
                if (topic.compacted() && !r.hasKey()) {
                    throw new InvalidRecordException("Compacted topic cannot accept message without key in topic partition " + tp + ".");
                }
                if (r.offset() != batch.baseOffset() + out.size()) {
                    throw new InvalidRecordException("Inner record offsets of the batch to " + tp + " are not consecutive");
                }
                out.add(new NewRecord(logAppendTime ? now : r.timestamp(), bytes(r.key()), bytes(r.value()), r.headers()));
            }
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptRecordException("Records of the batch to " + tp + " cannot be decoded: " + e.getMessage());
        }
        Integer declared = batch.countOrNull();
        if (declared == null || declared != out.size() || out.isEmpty()) {
            throw new InvalidRecordException("Record count of the batch to " + tp + " is " + declared
                    + " but it holds " + out.size() + " records");
        }
        BatchHeader header = new BatchHeader(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), out.size(),
                logAppendTime ? BatchHeader.LOG_APPEND_TIME : BatchHeader.CREATE_TIME);
        return new IncomingBatch(header, out, logAppendTime ? now : -1L);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        return buffer == null ? null : Utils.toArray(buffer);
    }
}
