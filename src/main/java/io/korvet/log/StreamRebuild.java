package io.korvet.log;

import static io.korvet.log.PartitionCleaner.await;

import io.korvet.storage.CompactionStore;
import io.korvet.storage.CompactionStore.CopyStep;
import io.korvet.storage.CompactionStore.Rewrite;
import io.korvet.storage.CompactionStore.Swap;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compaction's copy of a partition's log, under way: the entries decided on are copied chunk by chunk, then the
 * rest as it is, then the copy is swapped in once the tail appended meanwhile is short enough for the swap to copy it
 * itself. Counts the records it saw and kept in the cleaned part, for the pass's log line and the dirty ratio.
 */
final class StreamRebuild {

    private static final Logger log = LoggerFactory.getLogger(StreamRebuild.class);
    /** Entries (and bytes) appended meanwhile that the swap copies itself; more are copied by further steps first. */
    static final int SWAP_TAIL = 100;
    static final long SWAP_TAIL_BYTES = 128 << 10;
    static final int SWAP_ATTEMPTS = 50;

    private final CompactionStore compaction;
    final TopicPartition tp;
    private final int epoch;
    /** The last offset of the last entry copied, -1 before the first step (which starts a new copy). */
    private long through = -1;
    long recordsBefore;
    long recordsAfter;

    StreamRebuild(CompactionStore compaction, TopicPartition tp, int epoch) {
        this.compaction = compaction;
        this.tp = tp;
        this.epoch = epoch;
    }

    /** Copies the entries through the one ending at {@code throughLastOffset}, leaving out and rewriting as told. */
    void step(long throughLastOffset, long[] drops, List<Rewrite> rewrites) throws Exception {
        await(compaction.copy(tp, epoch, through, throughLastOffset, Integer.MAX_VALUE, Long.MAX_VALUE, drops, rewrites));
        through = throughLastOffset;
    }

    /** Copies every entry after the copy's end as it is, {@code chunk} entries (about 128 KiB at most) a step. */
    void rest(int chunk) throws Exception {
        while (true) {
            CopyStep s = await(compaction.copy(tp, epoch, through, Long.MAX_VALUE, chunk, PartitionCleaner.CHUNK_BYTES,
                    new long[0], List.of()));
            if (s.entries() == 0) {
                return;
            }
            through = s.lastOffset();
        }
    }

    /** Copies what was appended since, then swaps, with the checkpoint {@code next}. Returns whether it swapped. */
    boolean swapIn(CleanerCheckpoint next) throws Exception {
        for (int attempt = 0; attempt < SWAP_ATTEMPTS; attempt++) {
            if (through < 0) {
                return false;
            }
            Swap outcome = await(compaction.swap(tp, epoch, through, SWAP_TAIL, SWAP_TAIL_BYTES, next.fields()));
            switch (outcome) {
                case DONE:
                    return true;
                case BEHIND:
                    rest(SWAP_TAIL);
                    break;
                default:
                    log.debug("Compaction of {} not swapped in ({}); it runs again later", tp, outcome);
                    return false;
            }
        }
        log.info("Compaction of {} kept falling behind the appends; it runs again later", tp);
        return false;
    }
}
