package io.korvet.log;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.korvet.storage.StreamFormat;
import io.korvet.topic.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteUtils;
import org.apache.kafka.common.utils.Utils;

/**
 * Validates a partition's records from a Produce request as Kafka's broker does (one v2 batch, size
 * within {@code max.message.bytes}, CRC-32C, record count, keys on compacted topics, timestamps) and stamps the
 * broker's time on {@code LogAppendTime} topics; for a {@code record}-format topic it also decompresses them into
 * records, for a {@code batch}-format topic it keeps the batch as it came (recompressed where the topic says).
 */
public final class BatchDecoder {

    private static final int DIRECT_READ_BYTES = 1024 * 1024;
    /**
     * Decompression buffers, one set per thread (a handler thread decodes one batch at a time), as Kafka's broker
     * keeps one per request thread: LZ4 and ZSTD otherwise allocate (and zero) a 64 KiB or larger buffer for every
     * batch they read.
     */
    static final ThreadLocal<BufferSupplier> DECOMPRESSION_BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

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
        if (batch.isTransactional() && !batch.hasProducerId()) {
            throw new InvalidRecordException("A transactional batch must have a producer id (" + tp + ")");
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            // As Kafka's log validator: an idempotent batch must say where its sequence starts.
            throw new InvalidRecordException("Invalid sequence number " + batch.baseSequence() + " in record batch with producerId "
                    + batch.producerId() + " (" + tp + ")");
        }
        if (batch.hasProducerId() && batch.producerEpoch() < 0) {
            // No producer epoch is negative (InitProducerId hands out 0 and up); such a batch could not even be
            // fetched back, as record batches with a producer id and a negative epoch cannot be written.
            throw new InvalidProducerEpochException("Invalid producer epoch " + batch.producerEpoch() + " for producer "
                    + batch.producerId() + " (" + tp + ")");
        }
        if (topic.format() == StreamFormat.BATCH) {
            return asStored(tp, records, batch, topic, now);
        }
        return decodeRecords(tp, records, batch, topic, now);
    }

    /**
     * A batch for a {@code batch}-format topic: its records checked where they lie, its max timestamp set as Kafka's
     * log validator sets it (the records' largest CreateTime, or the broker's time on LogAppendTime topics; the CRC
     * recomputed when that changes it), recompressed when the topic's {@code compression.type} names another codec,
     * and otherwise kept as the producer's bytes.
     */
    private static IncomingBatch asStored(TopicPartition tp, MemoryRecords records, MutableRecordBatch batch, Topic topic, long now) {
        ByteBuffer bytes = records.buffer().slice(records.buffer().position(), batch.sizeInBytes());
        int declared = batch.countOrNull() == null ? -1 : batch.countOrNull();
        if (declared <= 0 || batch.lastOffset() - batch.baseOffset() + 1 != declared) {
            throw new InvalidRecordException("Inconsistent batch offset range [" + batch.baseOffset() + ", " + batch.lastOffset()
                    + "] and record count " + declared + " in the batch to " + tp);
        }
        long maxTimestamp;
        try {
            maxTimestamp = BatchRecordsWalker.maxTimestamp(tp, batch, bytes, topic, now);
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            throw new CorruptRecordException("Records of the batch to " + tp + " cannot be decoded: " + e.getMessage());
        }
        boolean logAppendTime = topic.logAppendTime();
        if (logAppendTime) {
            maxTimestamp = now;
        }
        CompressionType target = BatchRecompression.target(topic.compressionType(), batch.compressionType());
        if (target != batch.compressionType()) {
            MemoryRecords recompressed = BatchRecompression.recompress(batch, target, logAppendTime ? now : -1L);
            if (recompressed.sizeInBytes() > topic.maxMessageBytes()) {
                throw new RecordTooLargeException("The record batch size in the append to " + tp + " is " + recompressed.sizeInBytes()
                        + " bytes after recompression with " + target.name + ", which exceeds the maximum configured value of "
                        + topic.maxMessageBytes() + ".");
            }
            batch = recompressed.batches().iterator().next();
            bytes = recompressed.buffer();
        }
        batch.setMaxTimestamp(logAppendTime ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME, maxTimestamp);
        return IncomingBatch.stored(header(batch, declared, logAppendTime), batch, bytes, maxTimestamp, logAppendTime ? now : -1L);
    }

    /** A batch for a {@code record}-format topic: decompressed into records, one stream entry each. */
    private static IncomingBatch decodeRecords(TopicPartition tp, MemoryRecords records, MutableRecordBatch batch, Topic topic, long now) {
        boolean logAppendTime = topic.logAppendTime();
        Integer declared = batch.countOrNull();
        // The declared count is the client's word (under a CRC the client computes): it never sizes an allocation.
        List<NewRecord> out = new ArrayList<>(declared == null ? 16 : Math.max(1, Math.min(declared, 1024)));
        try {
            if (batch.compressionType() == CompressionType.NONE) {
                for (Record r : batch) {
                    add(tp, batch, topic, r, logAppendTime, now, out);
                }
            } else {
                readCompressed(tp, records, batch, topic, logAppendTime, now, out);
            }
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            throw new CorruptRecordException("Records of the batch to " + tp + " cannot be decoded: " + e.getMessage());
        }
        if (declared == null || declared != out.size() || out.isEmpty()) {
            throw new InvalidRecordException("Record count of the batch to " + tp + " is " + declared
                    + " but it holds " + out.size() + " records");
        }
        return IncomingBatch.records(header(batch, out.size(), logAppendTime), out, logAppendTime ? now : -1L);
    }

    /**
     * The producer fields and count of a checked batch. A batch without a producer id (any negative one, as Kafka
     * reads it) keeps none of the producer fields: a stored -5 would make the batch impossible to fetch back.
     */
    private static BatchHeader header(RecordBatch batch, int count, boolean logAppendTime) {
        boolean idempotent = batch.hasProducerId();
        return new BatchHeader(idempotent ? batch.producerId() : RecordBatch.NO_PRODUCER_ID,
                idempotent ? batch.producerEpoch() : RecordBatch.NO_PRODUCER_EPOCH,
                idempotent ? batch.baseSequence() : RecordBatch.NO_SEQUENCE, count,
                logAppendTime ? BatchHeader.LOG_APPEND_TIME : BatchHeader.CREATE_TIME,
                batch.isTransactional() ? BatchHeader.TRANSACTIONAL : 0);
    }

    private static void add(TopicPartition tp, RecordBatch batch, Topic topic, Record r, boolean logAppendTime, long now,
                            List<NewRecord> out) {
        if (topic.compacted() && !r.hasKey()) {
            throw new InvalidRecordException("Compacted topic cannot accept message without key in topic partition " + tp + ".");
        }
        if (r.offset() != batch.baseOffset() + out.size()) {
            throw new InvalidRecordException("Inner record offsets of the batch to " + tp + " are not consecutive");
        }
        if (!logAppendTime) {
            checkTimestamp(tp, r.offset(), r.timestamp(), topic, now, true);
        }
        out.add(new NewRecord(logAppendTime ? now : r.timestamp(), bytes(r.key()), bytes(r.value()), r.headers()));
    }

    /**
     * A record's CreateTime: -1 (none), or within the topic's {@code message.timestamp.before.max.ms} and
     * {@code message.timestamp.after.max.ms} of now, as Kafka checks it (INVALID_TIMESTAMP otherwise). With
     * {@code refuseNegative} (a {@code record}-format topic) other negative timestamps are refused too: Kafka stores
     * and serves such a batch as it came, as the {@code batch} format does, but the {@code record} format writes the
     * records of a Fetch again, and kafka-clients' record builders refuse them (the Java producer never sends them).
     */
    static void checkTimestamp(TopicPartition tp, long offset, long ts, Topic topic, long now, boolean refuseNegative) {
        if (ts == RecordBatch.NO_TIMESTAMP) {
            return;
        }
        if (ts < 0 && refuseNegative) {
            throw new InvalidTimestampException("Timestamp " + ts + " of message with offset " + offset + " in " + tp
                    + " is negative; only -1 (no timestamp) may be");
        }
        long sinceThen = now - ts;
        if (sinceThen > topic.timestampBeforeMaxMs() || -sinceThen > topic.timestampAfterMaxMs()) {
            throw new InvalidTimestampException("Timestamp " + ts + " of message with offset " + offset + " in " + tp
                    + " is out of range. The timestamp should be within [" + saturatedAdd(now, -topic.timestampBeforeMaxMs())
                    + ", " + saturatedAdd(now, topic.timestampAfterMaxMs()) + "]");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }

    /**
     * Decompresses the records of a compressed batch one by one. Unlike kafka-clients' batch iterator, which
     * sizes a list by the declared record count and each record's buffer by its length varint before reading it,
     * nothing here is allocated beyond the bytes the decompressor really produces; each record is then read
     * from a buffer of its own, where every length is checked against what is there.
     */
    private static void readCompressed(TopicPartition tp, MemoryRecords records, MutableRecordBatch batch, Topic topic,
                                       boolean logAppendTime, long now, List<NewRecord> out) throws IOException {
        ByteBuffer compressed = records.buffer();
        int start = compressed.position(); // the one batch's first byte
        compressed.limit(start + batch.sizeInBytes()).position(start + DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        Long appendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : null;
        long baseTimestamp = ((DefaultRecordBatch) batch).baseTimestamp(); // magic 2, checked above
        int declared = batch.countOrNull();
        try (InputStream in = Compression.of(batch.compressionType()).build()
                .wrapForInput(compressed.slice(), batch.magic(), DECOMPRESSION_BUFFERS.get())) {
            for (int i = 0; i < declared; i++) {
                int size = readVarint(in, tp);
                if (size < 0) {
                    throw new InvalidRecordException("Invalid negative record size " + size + " in the batch to " + tp);
                }
                ByteBuffer one = readRecord(in, size, tp);
                Record r = DefaultRecord.readFrom(one, batch.baseOffset(), baseTimestamp, batch.baseSequence(), appendTime);
                add(tp, batch, topic, r, logAppendTime, now, out);
            }
            if (in.read() != -1) {
                throw new InvalidRecordException("Incorrect declared batch size, records still remaining in file (batch to " + tp + ")");
            }
        }
    }

    /**
     * One record (its length varint, then {@code size} bytes) in a buffer of its own. A record up to 1 MiB is read
     * straight into its buffer; a larger length is read in chunks, so that it costs only the bytes really there.
     */
    private static ByteBuffer readRecord(InputStream in, int size, TopicPartition tp) throws IOException {
        int header = ByteUtils.sizeOfVarint(size);
        ByteBuffer one;
        int read;
        if (size <= DIRECT_READ_BYTES) {
            one = ByteBuffer.allocate(header + size);
            ByteUtils.writeVarint(size, one);
            read = in.readNBytes(one.array(), header, size);
        } else {
            byte[] body = in.readNBytes(size);
            read = body.length;
            one = ByteBuffer.allocate(header + read);
            ByteUtils.writeVarint(size, one);
            one.put(body);
        }
        if (read < size) {
            throw new InvalidRecordException("Incorrect declared batch size, premature EOF reached (batch to " + tp + ")");
        }
        return one.position(0);
    }

    /** A zig-zag varint, as in Kafka's records; the end of the stream before it ends is a premature EOF. */
    static int readVarint(InputStream in, TopicPartition tp) throws IOException {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new InvalidRecordException("Incorrect declared batch size, premature EOF reached (batch to " + tp + ")");
            }
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new InvalidRecordException("A record length in the batch to " + tp + " is not a valid varint");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        return buffer == null ? null : Utils.toArray(buffer);
    }
}
