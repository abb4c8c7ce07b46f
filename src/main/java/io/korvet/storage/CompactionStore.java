package io.korvet.storage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * What the log cleaner needs of a partition's storage: its checkpoint, and a rebuild of the partition's log in bounded
 * steps (a copy that leaves out or rewrites entries, then an atomic swap), each step fenced by the partition's leader
 * claim so that only its leader compacts it and no append is ever lost. Entries are named by their last offset.
 */
public interface CompactionStore {

    /** The cleaner's checkpoint of the partition, field to value; empty when it was never cleaned. */
    CompletionStage<Map<String, String>> checkpoint(TopicPartition partition);

    /** Sets fields of the checkpoint while this broker leads the partition at {@code leaderEpoch}. */
    CompletionStage<Void> saveCheckpoint(TopicPartition partition, int leaderEpoch, Map<String, String> fields);

    /**
     * Copies the entries after the one ending at {@code afterLastOffset} (-1: a new copy, from the first entry) through
     * the one ending at {@code throughLastOffset} ({@link Long#MAX_VALUE}: the end), at most {@code maxEntries} and
     * about {@code maxBytes}, leaving out {@code drops} and replacing the batches of {@code rewrites}.
     */
    CompletionStage<CopyStep> copy(TopicPartition partition, int leaderEpoch, long afterLastOffset, long throughLastOffset,
                                   int maxEntries, long maxBytes, long[] drops, List<Rewrite> rewrites);

    /**
     * Puts the copy in the log's place once at most {@code tailLimit} entries of about {@code tailBytes} appended since
     * the copy went through {@code copiedThrough} remain to copy (they are copied in the same atomic step), and sets
     * the checkpoint fields.
     */
    CompletionStage<Swap> swap(TopicPartition partition, int leaderEpoch, long copiedThrough, int tailLimit, long tailBytes,
                               Map<String, String> checkpoint);

    /** {entries, bytes (Redis's estimate)} of the partition's log. */
    CompletionStage<long[]> size(TopicPartition partition);

    /** A batch entry to copy with other bytes (its records partly removed) and max timestamp. */
    record Rewrite(long lastOffset, byte[] data, long maxTimestamp) {
    }

    /** How far a copy step went: the entries it went through and the last offset of the last one (-1: none). */
    record CopyStep(int entries, long lastOffset) {
    }

    enum Swap {
        /** The copy took the log's place. */
        DONE,
        /** Too many entries were appended meanwhile: copy more, then try again. */
        BEHIND,
        /** An append was interrupted half-way (the next load repairs it): try again later. */
        BUSY,
        /** The copy or the log is gone (deleted, or emptied by retention): nothing done. */
        GONE
    }
}
