package io.korvet.log;

import io.korvet.storage.AbortedTxn;
import io.korvet.storage.PartitionStore;
import io.korvet.storage.TxnIndex;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.StoredRecord;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads of a partition this broker does not lead, for consumers fetching from a follower (KIP-392): storage is
 * shared, so a follower reads the stream itself, up to the offset its leader last acknowledged (the next key, which
 * every append sets in the same transaction as its entry). Nothing is cached and nothing is claimed.
 */
public final class FollowerReads {

    /** What a follower knows of a partition: its log start offset and its high watermark. */
    public record Offsets(long logStartOffset, long highWatermark) {
    }

    private final PartitionStore store;

    public FollowerReads(PartitionStore store) {
        this.store = store;
    }

    public CompletionStage<Offsets> offsets(TopicPartition tp) {
        return store.offsets(tp).thenApply(o -> new Offsets(o[0], o[1]));
    }

    /** The partition's transaction index, aborted transactions from those whose marker is at {@code fromOffset} on. */
    public CompletionStage<TxnIndex> transactions(TopicPartition tp, long fromOffset) {
        return store.transactionIndex(tp, fromOffset);
    }

    /** The last stable offset the index implies: the oldest open transaction's first offset, or the high watermark. */
    public static long lastStableOffset(TxnIndex index, long highWatermark) {
        return TransactionTracker.lastStableOffset(index.ongoing(), highWatermark);
    }

    /** The aborted transactions a read_committed fetch of {@code [from, upTo)} names. */
    public static List<AbortedTxn> abortedBetween(TxnIndex index, long from, long upTo) {
        return TransactionTracker.overlapping(index.aborted().stream().filter(a -> a.lastOffset() >= from).toList(), upTo);
    }

    public CompletionStage<StoredBatches> readBatches(TopicPartition tp, long offset, int maxBatches, long hw) {
        return store.readBatches(tp, offset, maxBatches).thenApply(read -> PartitionReader.below(read, hw));
    }

    public CompletionStage<List<StoredRecord>> read(TopicPartition tp, long offset, int maxRecords, long hw) {
        int limit = (int) Math.max(1, Math.min(maxRecords, hw - offset));
        return store.read(tp, offset, limit).thenApply(list -> PartitionReader.below(list, limit, hw));
    }
}
