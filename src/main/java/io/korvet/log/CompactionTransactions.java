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
     * Whether the marker of {@code producerId} at {@code offset}, none of whose transaction's records are left, may be
     * removed, given that tombstones below {@code removableBelow} may be (see
     * {@link CleanerCheckpoint#tombstonesRemovableBelow}).
     */
    default boolean removeMarker(TopicPartition tp, long producerId, long offset, boolean abort, long removableBelow) {
        return false;
    }

    /**
     * The transactions of the partitions this broker leads, from their logs' transaction index: records of aborted
     * transactions go; a commit marker whose records are all gone goes once the tombstone horizon passed it. Abort
     * markers stay: the partition's index still names their transactions, and a read_committed consumer that is
     * told a transaction was aborted drops that producer's records until it reads the abort marker.
     */
    static CompactionTransactions of(LogManager logs) {
        return new CompactionTransactions() {
            @Override
            public boolean isAborted(TopicPartition tp, long producerId, long offset) {
                return logs.log(tp).isAborted(producerId, offset);
            }

            @Override
            public boolean removeMarker(TopicPartition tp, long producerId, long offset, boolean abort, long removableBelow) {
                return !abort && offset < removableBelow;
            }
        };
    }
}
