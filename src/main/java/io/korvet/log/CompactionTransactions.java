package io.korvet.log;

import org.apache.kafka.common.TopicPartition;

/**
 * What the log cleaner asks of transactions, as Kafka's cleaner does: nothing at or after the first offset of an open
 * transaction is cleaned (the last stable offset bounds cleaning), records of aborted transactions may be dropped, and
 * a transaction marker (control batch) may go once {@code delete.retention.ms} has passed since the cleaner first saw
 * it and nothing of its transaction is left. {@link #NONE} keeps every transactional record and every marker.
 */
public interface CompactionTransactions {

    CompactionTransactions NONE = new CompactionTransactions() {
    };

    /** Cleaning stops before this offset: the partition's first unstable offset, or its high watermark. */
    default long firstUnstableOffset(TopicPartition tp, long highWatermark) {
        return highWatermark;
    }

    /** Whether the transactional record of {@code producerId} at {@code offset} belongs to an aborted transaction. */
    default boolean isAborted(TopicPartition tp, long producerId, long offset) {
        return false;
    }

    /**
     * Whether the marker of {@code producerId} at {@code offset} may be removed, given that tombstones below
     * {@code removableBelow} may be (see {@link CleanerCheckpoint#tombstonesRemovableBelow}).
     */
    default boolean removeMarker(TopicPartition tp, long producerId, long offset, long removableBelow) {
        return false;
    }
}
