package io.korvet.log;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewBatch;
import io.korvet.storage.NewRecord;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * A produce batch that passed validation, ready to be appended: for a {@code record}-format topic its records, for a
 * {@code batch}-format topic the v2 batch itself ({@code batch} over {@code bytes}), whose offsets are written when
 * the partition assigns them.
 */
public record IncomingBatch(BatchHeader header, List<NewRecord> records, long logAppendTime,
                            MutableRecordBatch batch, ByteBuffer bytes, long maxTimestamp) {

    /** A batch of a {@code record}-format topic, as records. */
    public static IncomingBatch records(BatchHeader header, List<NewRecord> records, long logAppendTime) {
        return new IncomingBatch(header, records, logAppendTime, null, null, -1);
    }

    /** A batch of a {@code batch}-format topic, stored as it is. */
    static IncomingBatch stored(BatchHeader header, MutableRecordBatch batch, ByteBuffer bytes, long maxTimestamp,
                                long logAppendTime) {
        return new IncomingBatch(header, List.of(), logAppendTime, batch, bytes, maxTimestamp);
    }

    public boolean idempotent() {
        return header.producerId() >= 0;
    }

    /** Whether this is a whole batch for a {@code batch}-format stream. */
    public boolean isStored() {
        return batch != null;
    }

    public int count() {
        return header.recordCount();
    }

    public int approximateBytes() {
        if (isStored()) {
            return bytes.remaining();
        }
        int size = 0;
        for (NewRecord r : records) {
            size += r.approximateSize();
        }
        return size;
    }

    /**
     * The stored batch with the offsets the partition gave it written in (base offset {@code base}, the leader epoch
     * of its leader, the CRC recomputed), as one stream entry will hold it. Called once per append attempt, under the partition's
     * lock; writing the same offsets again is harmless.
     */
    NewBatch toNewBatch(long base, int leaderEpoch) {
        batch.setLastOffset(base + header.recordCount() - 1);
        batch.setPartitionLeaderEpoch(leaderEpoch);
        return new NewBatch(header, maxTimestamp, batch.isTransactional(), batch.isControlBatch(), bytes.duplicate());
    }
}
