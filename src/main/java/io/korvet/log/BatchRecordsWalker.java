package io.korvet.log;

import io.korvet.topic.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Checks the records of a v2 batch that is stored as it came ({@code batch} stream format) as Kafka's log validator
 * does, without making an object per record: each record's length, offset delta (the n-th record has delta n),
 * timestamp (against the topic's limits), key (present on compacted topics), header count and sizes, and that the
 * batch holds exactly the records it declares. A compressed batch is decompressed as a stream into one reused
 * buffer. Yields the records' largest timestamp, which the broker writes into the batch header as Kafka does.
 */
final class BatchRecordsWalker {

    private final TopicPartition tp;
    private final Topic topic;
    private final long now;
    private final long baseTimestamp;
    private final boolean checkTimestamps;
    private long maxTimestamp = -1;
    private int count;
    /** A compressed batch's current record, decompressed. */
    private byte[] buffer = new byte[256];

    private BatchRecordsWalker(TopicPartition tp, Topic topic, long now, long baseTimestamp) {
        this.tp = tp;
        this.topic = topic;
        this.now = now;
        this.baseTimestamp = baseTimestamp;
        this.checkTimestamps = !topic.logAppendTime();
    }

    /**
     * Walks the records of {@code batch}, whose bytes are {@code bytes} (the whole batch, position 0), and returns
     * their largest timestamp (-1 when none has one).
     *
     * @throws InvalidRecordException or another {@link org.apache.kafka.common.errors.ApiException} for a record
     *     Kafka would refuse; a {@link RuntimeException} or {@link IOException} for bytes that cannot be read
     */
    static long maxTimestamp(TopicPartition tp, MutableRecordBatch batch, ByteBuffer bytes, Topic topic, long now)
            throws IOException {
        BatchRecordsWalker walker = new BatchRecordsWalker(tp, topic, now, ((DefaultRecordBatch) batch).baseTimestamp());
        int declared = batch.countOrNull();
        ByteBuffer body = bytes.duplicate().position(DefaultRecordBatch.RECORD_BATCH_OVERHEAD).slice();
        if (batch.compressionType() == CompressionType.NONE) {
            while (body.hasRemaining()) {
                int size = ByteUtils.readVarint(body);
                if (size <= 0 || size > body.remaining()) {
                    throw new InvalidRecordException("Invalid record size " + size + " in the batch to " + tp);
                }
                ByteBuffer one = body.slice(body.position(), size);
                body.position(body.position() + size);
                walker.record(one);
            }
        } else {
            walker.compressed(batch, body, declared);
        }
        if (walker.count != declared) {
            throw new InvalidRecordException("Record count of the batch to " + tp + " is " + declared
                    + " but it holds " + walker.count + " records");
        }
        return walker.maxTimestamp;
    }

    private void compressed(MutableRecordBatch batch, ByteBuffer body, int declared) throws IOException {
        try (InputStream in = Compression.of(batch.compressionType()).build()
                .wrapForInput(body, batch.magic(), BatchDecoder.DECOMPRESSION_BUFFERS.get())) {
            for (int i = 0; i < declared; i++) {
                int size = BatchDecoder.readVarint(in, tp);
                if (size <= 0) {
                    throw new InvalidRecordException("Invalid record size " + size + " in the batch to " + tp);
                }
                if (readFully(in, size) < size) {
                    throw new InvalidRecordException("Incorrect declared batch size, premature EOF reached (batch to " + tp + ")");
                }
                record(ByteBuffer.wrap(buffer, 0, size));
            }
            if (in.read() != -1) {
                throw new InvalidRecordException("Incorrect declared batch size, records still remaining in file (batch to " + tp + ")");
            }
        }
    }

    /**
     * Reads {@code size} bytes into {@link #buffer}, which grows only as bytes really arrive (never by a declared
     * length alone); returns how many were there.
     */
    private int readFully(InputStream in, int size) throws IOException {
        int read = 0;
        while (read < size) {
            if (read == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(size, buffer.length * 2L));
            }
            int n = in.read(buffer, read, Math.min(size, buffer.length) - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }

    /** One record, from its attributes byte to its last header. */
    private void record(ByteBuffer r) {
        r.get(); // attributes: unused in v2
        long timestamp = baseTimestamp + ByteUtils.readVarlong(r);
        int offsetDelta = ByteUtils.readVarint(r);
        if (offsetDelta != count) {
            throw new InvalidRecordException("Inner record offsets of the batch to " + tp + " are not consecutive");
        }
        int keyLength = skipBytes(r, "key");
        if (keyLength < 0 && topic.compacted()) {
            throw new InvalidRecordException("Compacted topic cannot accept message without key in topic partition " + tp + ".");
        }
        skipBytes(r, "value");
        int headers = ByteUtils.readVarint(r);
        if (headers < 0) {
            throw new InvalidRecordException("Found invalid number of record headers " + headers + " in the batch to " + tp);
        }
        for (int i = 0; i < headers; i++) {
            if (skipBytes(r, "header key") < 0) {
                throw new InvalidRecordException("Invalid negative header key size in the batch to " + tp);
            }
            skipBytes(r, "header value");
        }
        if (r.hasRemaining()) {
            throw new InvalidRecordException("Invalid record size: " + r.remaining() + " bytes left after a record of the batch to " + tp);
        }
        if (checkTimestamps) {
            BatchDecoder.checkTimestamp(tp, count, timestamp, topic, now, false);
        }
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        count++;
    }

    /** Skips a length-prefixed field (-1: null); returns its length. */
    private int skipBytes(ByteBuffer r, String what) {
        int length = ByteUtils.readVarint(r);
        if (length < -1 || length > r.remaining()) {
            throw new InvalidRecordException("Invalid " + what + " size " + length + " in the batch to " + tp);
        }
        if (length > 0) {
            r.position(r.position() + length);
        }
        return length;
    }
}
