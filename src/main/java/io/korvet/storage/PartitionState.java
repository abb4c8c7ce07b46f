package io.korvet.storage;

import java.util.List;
import java.util.NavigableMap;

/**
 * What a partition leader rebuilds its cache from: the log start offset, the next offset to assign,
 * the batch headers found in the tail of the log (with the offset of each batch's first record), and the
 * leadership it holds: its leader epoch and the offset each epoch of the partition started at; and its
 * transaction index.
 */
public record PartitionState(long logStartOffset, long nextOffset, List<RecentBatch> recentBatches,
                             int leaderEpoch, NavigableMap<Integer, Long> epochStarts, TxnIndex transactions) {

    public PartitionState(long logStartOffset, long nextOffset, List<RecentBatch> recentBatches, int leaderEpoch,
                          NavigableMap<Integer, Long> epochStarts) {
        this(logStartOffset, nextOffset, recentBatches, leaderEpoch, epochStarts, TxnIndex.EMPTY);
    }

    public record RecentBatch(long baseOffset, BatchHeader header) {
    }
}
