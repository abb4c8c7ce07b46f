package io.korvet.log;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.ByteUtils;
import org.apache.kafka.common.utils.Utils;

/**
 * Turns records read from a stream back into v2 record batches for a Fetch response: one batch per
 * original produce batch (with its producer id, epoch, base sequence and timestamp type), a fetch from
 * the middle of a produce batch starting a batch at that record, and the total held within a byte limit.
 */
public final class FetchedRecordsAssembler {

    /** The timestamp-type bit of a v2 batch's attributes (set: LogAppendTime). */
    private static final int TIMESTAMP_TYPE_ATTRIBUTE = 0x08;
    private static final int TRANSACTIONAL_ATTRIBUTE = 0x10;
    private static final int CONTROL_ATTRIBUTE = 0x20;

    private FetchedRecordsAssembler() {
    }

    /** The assembled batches, the bytes they take, and the offset after their last record (-1 when empty). */
    public record Assembled(MemoryRecords records, int sizeInBytes, long nextOffset) {
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
        int[] bodySizes = new int[records.size()];
        // Decide how many records fit, counting each batch's header once.
        for (int i = 0; i < records.size(); i++) {
            StoredRecord r = records.get(i);
            if (r.timestamp() < 0 && r.timestamp() != RecordBatch.NO_TIMESTAMP) {
                // No client accepts it (kafka-clients' builders refuse it too): the caller answers CORRUPT_MESSAGE.
                throw new IllegalArgumentException("Invalid negative timestamp " + r.timestamp() + " at offset " + r.offset());
            }
            boolean newBatch = i == 0 || startsBatch(r);
            if (newBatch) {
                batchStart = i;
            }
            long timestampDelta = r.timestamp() - records.get(batchStart).timestamp();
            int body = bodySize(i - batchStart, timestampDelta, r);
            int size = ByteUtils.sizeOfVarint(body) + body + (newBatch ? DefaultRecordBatch.RECORD_BATCH_OVERHEAD : 0);
            if (total + size > byteLimit && !(atLeastOne && i == 0)) {
                break;
            }
            bodySizes[i] = body;
            total += size;
            end = i + 1;
        }
        if (end == 0) {
            return new Assembled(MemoryRecords.EMPTY, 0, -1);
        }
        ByteBuffer buffer = ByteBuffer.allocate(total);
        int i = 0;
        while (i < end) {
            int j = i + 1;
            while (j < end && !startsBatch(records.get(j))) {
                j++;
            }
            writeBatch(buffer, records, i, j, bodySizes, topicTimestampType);
            i = j;
        }
        buffer.flip();
        return new Assembled(MemoryRecords.readableRecords(buffer), total, records.get(end - 1).offset() + 1);
    }

    /**
     * Writes records {@code from} to {@code to} (exclusive) as one uncompressed v2 batch, byte for byte what
     * kafka-clients' MemoryRecordsBuilder writes for them (FetchedRecordsAssemblerTest compares the two), without
     * its per-record streams and copies.
     */
    private static void writeBatch(ByteBuffer buffer, List<StoredRecord> records, int from, int to, int[] bodySizes,
                                   TimestampType topicTimestampType) {
        StoredRecord first = records.get(from);
        BatchHeader h = first.batch();
        boolean logAppend = h != null
                ? h.timestampType() == BatchHeader.LOG_APPEND_TIME
                : topicTimestampType == TimestampType.LOG_APPEND_TIME;
        // Producer fields only for a whole batch that has valid ones (a record batch cannot carry a producer id
        // with a negative epoch or sequence), or a transactional one (whose consumers need to know whose it is; its
        // sequence is unknown from the middle of the batch, and a marker has none).
        boolean whole = h != null && h.producerId() >= 0 && h.producerEpoch() >= 0
                && (h.baseSequence() >= 0 || h.transactional());
        int sequence = whole && !h.isContinuation() ? h.baseSequence() : RecordBatch.NO_SEQUENCE;
        int start = buffer.position();
        long baseTimestamp = first.timestamp();
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        buffer.position(start + DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        for (int i = from; i < to; i++) {
            StoredRecord r = records.get(i);
            maxTimestamp = Math.max(maxTimestamp, r.timestamp());
            writeRecord(buffer, bodySizes[i], (int) (r.offset() - first.offset()), r.timestamp() - baseTimestamp, r);
        }
        int end = buffer.position();
        buffer.position(start);
        buffer.putLong(first.offset());
        buffer.putInt(end - start - Records.LOG_OVERHEAD);
        // Record entries do not keep the epoch their records were written at: none, so that consumers skip the
        // KIP-320 validation that a wrong epoch would fail.
        buffer.putInt(RecordBatch.NO_PARTITION_LEADER_EPOCH);
        buffer.put(RecordBatch.MAGIC_VALUE_V2);
        int crcAt = buffer.position();
        buffer.putInt(0);
        int transactional = h != null && h.transactional() ? TRANSACTIONAL_ATTRIBUTE : 0;
        int control = h != null && h.control() ? CONTROL_ATTRIBUTE : 0;
        buffer.putShort((short) ((logAppend ? TIMESTAMP_TYPE_ATTRIBUTE : 0) | transactional | control));
        buffer.putInt((int) (records.get(to - 1).offset() - first.offset()));
        buffer.putLong(baseTimestamp);
        buffer.putLong(logAppend ? first.timestamp() : maxTimestamp);
        buffer.putLong(whole ? h.producerId() : RecordBatch.NO_PRODUCER_ID);
        buffer.putShort(whole ? h.producerEpoch() : RecordBatch.NO_PRODUCER_EPOCH);
        buffer.putInt(sequence);
        buffer.putInt(to - from);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), buffer.arrayOffset() + crcAt + 4, end - crcAt - 4);
        buffer.putInt(crcAt, (int) crc.getValue());
        buffer.position(end);
    }

    /** Whether a stored record begins a produce batch: it carries that batch's header (not a continuation one). */
    private static boolean startsBatch(StoredRecord r) {
        return r.batch() != null && !r.batch().isContinuation();
    }

    /** A v2 record's size without its leading length varint. */
    private static int bodySize(int offsetDelta, long timestampDelta, StoredRecord r) {
        int size = 1 + ByteUtils.sizeOfVarlong(timestampDelta) + ByteUtils.sizeOfVarint(offsetDelta)
                + bytesSize(r.key()) + bytesSize(r.value()) + ByteUtils.sizeOfVarint(r.headers().length);
        for (Header header : r.headers()) {
            size += bytesSize(Utils.utf8(header.key())) + bytesSize(header.value());
        }
        return size;
    }

    private static int bytesSize(byte[] b) {
        return b == null ? 1 : ByteUtils.sizeOfVarint(b.length) + b.length;
    }

    private static void writeRecord(ByteBuffer buffer, int bodySize, int offsetDelta, long timestampDelta, StoredRecord r) {
        ByteUtils.writeVarint(bodySize, buffer);
        buffer.put((byte) 0); // attributes
        ByteUtils.writeVarlong(timestampDelta, buffer);
        ByteUtils.writeVarint(offsetDelta, buffer);
        writeBytes(buffer, r.key());
        writeBytes(buffer, r.value());
        ByteUtils.writeVarint(r.headers().length, buffer);
        for (Header header : r.headers()) {
            writeBytes(buffer, Utils.utf8(header.key()));
            writeBytes(buffer, header.value());
        }
    }

    private static void writeBytes(ByteBuffer buffer, byte[] b) {
        if (b == null) {
            ByteUtils.writeVarint(-1, buffer);
        } else {
            ByteUtils.writeVarint(b.length, buffer);
            buffer.put(b);
        }
    }
}
