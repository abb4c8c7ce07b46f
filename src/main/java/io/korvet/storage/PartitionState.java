package io.korvet.storage;

import java.util.List;

/**
 * What a partition leader rebuilds its cache from: the log start offset, the next offset to assign,
 * and the batch headers found in the tail of the log (with the offset of each batch's first record).
 */
public record PartitionState(long logStartOffset, long nextOffset, List<RecentBatch> recentBatches) {

    public record RecentBatch(long baseOffset, BatchHeader header) {
    }
}
