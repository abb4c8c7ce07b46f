package io.korvet.storage;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** The partition logs. Each method touches one partition's stream only. */
public interface PartitionStore {

    /**
     * Reads offsets and the recent batch headers (from at most {@code scanEntries} tail entries), and claims the
     * partition for this broker: unless this broker still holds {@code heldEpoch} (-1: none), with the next leader
     * epoch, after which the appends of any other broker are refused.
     */
    CompletionStage<PartitionState> loadState(TopicPartition partition, int scanEntries, int heldEpoch);

    /** {log start offset, next offset} of a partition, read without claiming it (a follower's view). */
    CompletionStage<long[]> offsets(TopicPartition partition);

    /**
     * Appends one batch atomically at offsets {@code baseOffset}, {@code baseOffset + 1}, ..., provided the
     * log's next offset is {@code baseOffset} and this broker still leads the partition at {@code leaderEpoch};
     * otherwise fails with {@link StorageException.Fenced} (or {@link StorageException.LeaderMoved}) and writes
     * nothing. The batch header rides on the first record.
     */
    CompletionStage<Void> append(TopicPartition partition, long baseOffset, int leaderEpoch, BatchHeader header,
                                 List<NewRecord> records);

    /**
     * Appends one batch as one entry of a {@code batch}-format stream, atomically, provided the log's next offset is
     * {@code baseOffset} (the base offset already written into the batch's bytes) and this broker still leads the
     * partition at {@code leaderEpoch}; otherwise fails with {@link StorageException.Fenced} (or
     * {@link StorageException.LeaderMoved}) and writes nothing.
     */
    CompletionStage<Void> appendBatch(TopicPartition partition, long baseOffset, int leaderEpoch, NewBatch batch);

    /**
     * Up to {@code maxBatches} batches of a {@code batch}-format stream, from the one holding {@code fromOffset} on
     * (it may start before that offset), in offset order.
     */
    CompletionStage<StoredBatches> readBatches(TopicPartition partition, long fromOffset, int maxBatches);

    /** The partition's transaction index, the aborted transactions from those whose marker is at {@code fromOffset} on. */
    CompletionStage<TxnIndex> transactionIndex(TopicPartition partition, long fromOffset);

    /** Up to {@code maxRecords} records from {@code fromOffset} on, in offset order. */
    CompletionStage<List<StoredRecord>> read(TopicPartition partition, long fromOffset, int maxRecords);

    /**
     * Looks for the first entry at or after {@code fromOffset} whose timestamp (a batch's: its max timestamp) is at
     * or after {@code timestamp}, scanning at most {@code scanLimit} entries. Completes with its (first) offset and
     * timestamp, or with the offset to continue from when none was found in the scanned range
     * ({@link TimestampLookup#found()} false).
     */
    CompletionStage<TimestampLookup> findByTimestamp(TopicPartition partition, long fromOffset, long timestamp, int scanLimit);

    /**
     * The (first) offset and timestamp of the entry with the largest timestamp (the earliest such), or null when
     * empty.
     */
    CompletionStage<TimestampLookup> findMaxTimestamp(TopicPartition partition);

    /**
     * Removes the records below {@code beforeOffset} (none at or after it); the next offset does not move.
     * Completes with the log start offset after the trim.
     */
    CompletionStage<Long> trim(TopicPartition partition, long beforeOffset);

    /**
     * Retention by size: when the partition takes more than {@code maxBytes} in storage (approximately),
     * removes its oldest records so that the rest fits, never removing {@code maxStartOffset} or later.
     * Completes with the log start offset after the trim, or -1 when the partition was within the limit.
     */
    CompletionStage<Long> trimToSize(TopicPartition partition, long maxBytes, long maxStartOffset);

    /** The memory the partition's stream takes in storage, approximately (Redis's own estimate); 0 when empty. */
    CompletionStage<Long> storedBytes(TopicPartition partition);

    /** Deletes the partition's log entirely (its topic was deleted). */
    CompletionStage<Void> delete(TopicPartition partition);

    /**
     * What a timestamp search found: the entry's first offset and its timestamp, and its last offset (the same
     * for a record entry; for a batch entry the record with that timestamp is somewhere in between).
     */
    record TimestampLookup(boolean found, long offset, long timestamp, long lastOffset) {

        /** Whether the entry found is a batch of several records, whose records must be read to pin the offset. */
        public boolean spansRecords() {
            return found && lastOffset > offset;
        }
    }
}
