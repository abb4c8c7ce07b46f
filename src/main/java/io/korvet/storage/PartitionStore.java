package io.korvet.storage;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** The partition logs. Each method touches one partition's stream only. */
public interface PartitionStore {

    /** Reads offsets and the recent batch headers (from at most {@code scanEntries} tail entries). */
    CompletionStage<PartitionState> loadState(TopicPartition partition, int scanEntries);

    /**
     * Appends one batch atomically at offsets {@code baseOffset}, {@code baseOffset + 1}, ..., provided the
     * log's next offset is {@code baseOffset}; otherwise fails with {@link StorageException.Fenced} and
     * writes nothing. The batch header rides on the first record.
     */
    CompletionStage<Void> append(TopicPartition partition, long baseOffset, BatchHeader header, List<NewRecord> records);

    /** Up to {@code maxRecords} records from {@code fromOffset} on, in offset order. */
    CompletionStage<List<StoredRecord>> read(TopicPartition partition, long fromOffset, int maxRecords);

    /**
     * Looks for the first record at or after {@code fromOffset} whose timestamp is at or after {@code timestamp},
     * scanning at most {@code scanLimit} records. Completes with its offset and timestamp, or with the
     * offset to continue from when none was found in the scanned range ({@link TimestampLookup#found()} false).
     */
    CompletionStage<TimestampLookup> findByTimestamp(TopicPartition partition, long fromOffset, long timestamp, int scanLimit);

    /** The offset and timestamp of the record with the largest timestamp (the earliest such), or null when empty. */
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

    /** Deletes the partition's log entirely (its topic was deleted). */
    CompletionStage<Void> delete(TopicPartition partition);

    record TimestampLookup(boolean found, long offset, long timestamp) {
    }
}
