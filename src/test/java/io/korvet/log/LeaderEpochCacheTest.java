package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LeaderEpochCacheTest {

    /** Epochs 0 (from 0), 2 (from 100) and 5 (from 250), the current one; the high watermark 300. */
    private final TreeMap<Integer, Long> starts = new TreeMap<>(java.util.Map.of(0, 0L, 2, 100L, 5, 250L));

    private long[] end(int epoch) {
        return LeaderEpochCache.endOffsetFor(starts, 5, 300, epoch);
    }

    @Test
    void theCurrentEpochEndsAtTheHighWatermark() {
        assertThat(end(5)).containsExactly(5, 300);
    }

    @Test
    void anEarlierEpochEndsWhereTheNextKnownOneStarts() {
        assertThat(end(0)).containsExactly(0, 100);
        assertThat(end(2)).containsExactly(2, 250);
        // Epochs 1, 3 and 4 never led here: the last epoch before them answers, ending where the next began.
        assertThat(end(1)).containsExactly(0, 100);
        assertThat(end(4)).containsExactly(2, 250);
    }

    @Test
    void anEpochPastTheCurrentOneOrNoneIsUndefined() {
        assertThat(end(6)).containsExactly(-1, -1);
        assertThat(end(-1)).containsExactly(-1, -1);
    }

    @Test
    void anEpochBeforeTheFirstKnownEndsWhereThatOneStarts() {
        TreeMap<Integer, Long> later = new TreeMap<>(java.util.Map.of(3, 40L, 4, 90L));
        assertThat(LeaderEpochCache.endOffsetFor(later, 4, 120, 1)).containsExactly(1, 40);
    }
}
