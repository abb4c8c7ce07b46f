package io.korvet.log;

import java.util.Map;
import java.util.NavigableMap;

/** OffsetForLeaderEpoch's arithmetic over a partition's epochs, as Kafka's leader epoch cache does it. */
final class LeaderEpochCache {

    private LeaderEpochCache() {
    }

    /**
     * The last epoch at or before {@code epoch} and the offset where the epoch after it started: for the current
     * epoch, the current epoch and {@code endOffset}; for an epoch before the first one known, that epoch and the first
     * one's start; {@code [-1, -1]} for an epoch past the current one (or none).
     *
     * @param starts each epoch to the offset it started at
     */
    static long[] endOffsetFor(NavigableMap<Integer, Long> starts, int currentEpoch, long endOffset, int epoch) {
        if (epoch == currentEpoch && epoch >= 0) {
            return new long[] {epoch, endOffset};
        }
        Map.Entry<Integer, Long> higher = starts.higherEntry(epoch);
        if (epoch < 0 || higher == null) {
            return new long[] {-1, -1};
        }
        Map.Entry<Integer, Long> floor = starts.floorEntry(epoch);
        return new long[] {floor == null ? epoch : floor.getKey(), higher.getValue()};
    }
}
