package io.korvet.log;

/**
 * The log cleaner's decisions that need no storage: where the active segment starts (Korvet's equivalent of Kafka's
 * segment roll), how far a pass may clean, and whether a partition is worth cleaning. Offsets stand for records.
 */
public final class CleaningPlan {

    /** A compacted topic's settings, from its configs and the broker's defaults. */
    public record Settings(long segmentBytes, long segmentMs, long minLagMs, long maxLagMs, double minDirtyRatio,
                           long deleteRetentionMs) {
    }

    private CleaningPlan() {
    }

    /**
     * The active segment after a check at {@code now}: it rolls to the high watermark, as Kafka rolls its active
     * segment, when it is older than {@code segment.ms} or holds more than {@code segment.bytes} (estimated as its share
     * of the stream's bytes, by offsets); the first check of a partition starts it at the high watermark.
     */
    public static CleanerCheckpoint roll(CleanerCheckpoint cp, long highWatermark, long logStart, long storedBytes, long now,
                                         Settings s) {
        if (cp.segmentStart() < 0) {
            return cp.rolled(highWatermark, now);
        }
        long start = Math.max(cp.segmentStart(), logStart);
        if (highWatermark <= start) {
            return cp;
        }
        long span = Math.max(1, highWatermark - logStart);
        double segmentBytes = (double) storedBytes * (highWatermark - start) / span;
        boolean old = now - cp.segmentSince() >= s.segmentMs();
        return old || segmentBytes >= s.segmentBytes() ? cp.rolled(highWatermark, now) : cp;
    }

    /**
     * The first offset a pass must not clean: the active segment's start, the first unstable offset (open
     * transactions), or the first record younger than {@code min.compaction.lag.ms}, whichever comes first.
     */
    public static long firstUncleanable(long segmentStart, long firstUnstable, long firstTooRecent) {
        return Math.min(segmentStart, Math.min(firstUnstable, firstTooRecent));
    }

    /** The dirty ratio: dirty records over all records below the uncleanable offset (1 when nothing was kept). */
    public static double dirtyRatio(long firstDirty, long firstUncleanable, long kept) {
        long dirty = Math.max(0, firstUncleanable - firstDirty);
        return dirty == 0 ? 0 : (double) dirty / (dirty + Math.max(0, kept));
    }

    /**
     * Whether to clean now: there is something dirty, and its ratio reaches {@code min.cleanable.dirty.ratio}, or its
     * first record ({@code firstDirtyTimestamp}, -1 when unknown) is older than {@code max.compaction.lag.ms}.
     */
    public static boolean worthCleaning(long firstDirty, long firstUncleanable, long kept, long firstDirtyTimestamp, long now,
                                        Settings s) {
        if (firstUncleanable <= firstDirty) {
            return false;
        }
        if (dirtyRatio(firstDirty, firstUncleanable, kept) >= s.minDirtyRatio()) {
            return true;
        }
        return firstDirtyTimestamp >= 0 && s.maxLagMs() < Long.MAX_VALUE && now - firstDirtyTimestamp >= s.maxLagMs();
    }

    /** The timestamp cut-off of {@code min.compaction.lag.ms}: records at or after it are too recent to clean. */
    public static long tooRecentFrom(long now, long minLagMs) {
        return minLagMs <= 0 ? Long.MAX_VALUE : now - minLagMs + 1;
    }
}
