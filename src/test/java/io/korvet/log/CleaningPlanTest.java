package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CleaningPlanTest {

    private static final long MB = 1 << 20;
    private static final CleaningPlan.Settings DEFAULTS =
            new CleaningPlan.Settings(1024 * MB, 604_800_000L, 0, Long.MAX_VALUE, 0.5, 86_400_000L);

    private static CleaningPlan.Settings segmentMs(long ms) {
        return new CleaningPlan.Settings(1024 * MB, ms, 0, Long.MAX_VALUE, 0.5, 86_400_000L);
    }

    @Test
    void theFirstCheckStartsTheActiveSegmentAtTheHighWatermark() {
        CleanerCheckpoint cp = CleaningPlan.roll(CleanerCheckpoint.NONE, 500, 0, 10 * MB, 1000, DEFAULTS);
        assertThat(cp.segmentStart()).isEqualTo(500);
        assertThat(cp.segmentSince()).isEqualTo(1000);
    }

    @Test
    void theActiveSegmentRollsWhenOlderThanSegmentMs() {
        CleanerCheckpoint cp = CleanerCheckpoint.NONE.rolled(100, 1000);
        assertThat(CleaningPlan.roll(cp, 500, 0, MB, 1999, segmentMs(1000))).isEqualTo(cp);
        CleanerCheckpoint rolled = CleaningPlan.roll(cp, 500, 0, MB, 2000, segmentMs(1000));
        assertThat(rolled.segmentStart()).isEqualTo(500);
        assertThat(rolled.segmentSince()).isEqualTo(2000);
    }

    @Test
    void theActiveSegmentRollsWhenItsShareOfTheBytesReachesSegmentBytes() {
        CleaningPlan.Settings s = new CleaningPlan.Settings(MB, Long.MAX_VALUE, 0, Long.MAX_VALUE, 0.5, 0);
        CleanerCheckpoint cp = CleanerCheckpoint.NONE.rolled(0, 0);
        // 4 MiB over offsets 0-1000: the segment from 800 holds about 0.8 MiB, from 750 about 1 MiB.
        assertThat(CleaningPlan.roll(cp.rolled(800, 0), 1000, 0, 4 * MB, 1, s).segmentStart()).isEqualTo(800);
        assertThat(CleaningPlan.roll(cp.rolled(750, 0), 1000, 0, 4 * MB, 1, s).segmentStart()).isEqualTo(1000);
    }

    @Test
    void nothingNewDoesNotRoll() {
        CleanerCheckpoint cp = CleanerCheckpoint.NONE.rolled(500, 0);
        assertThat(CleaningPlan.roll(cp, 500, 0, MB, Long.MAX_VALUE / 2, DEFAULTS)).isEqualTo(cp);
    }

    @Test
    void cleaningStopsAtTheSegmentTheUnstableOffsetOrTheTooRecentWhicheverIsFirst() {
        assertThat(CleaningPlan.firstUncleanable(500, 400, Long.MAX_VALUE)).isEqualTo(400);
        assertThat(CleaningPlan.firstUncleanable(500, 900, 300)).isEqualTo(300);
        assertThat(CleaningPlan.firstUncleanable(500, 900, Long.MAX_VALUE)).isEqualTo(500);
        assertThat(CleaningPlan.tooRecentFrom(10_000, 0)).isEqualTo(Long.MAX_VALUE);
        assertThat(CleaningPlan.tooRecentFrom(10_000, 1000)).isEqualTo(9001);
    }

    @Test
    void aPartitionIsWorthCleaningFromMinCleanableDirtyRatioOn() {
        assertThat(CleaningPlan.dirtyRatio(100, 200, 100)).isEqualTo(0.5);
        assertThat(CleaningPlan.worthCleaning(100, 200, 100, -1, 0, DEFAULTS)).isTrue();
        assertThat(CleaningPlan.worthCleaning(100, 199, 100, -1, 0, DEFAULTS)).isFalse();
        assertThat(CleaningPlan.worthCleaning(0, 10, 0, -1, 0, DEFAULTS)).as("never cleaned: all dirty").isTrue();
        assertThat(CleaningPlan.worthCleaning(100, 100, 0, -1, 0, DEFAULTS)).as("nothing dirty").isFalse();
    }

    @Test
    void maxCompactionLagMsForcesCleaningOfADirtyPartBelowTheRatio() {
        CleaningPlan.Settings s = new CleaningPlan.Settings(MB, Long.MAX_VALUE, 0, 60_000, 0.5, 0);
        assertThat(CleaningPlan.worthCleaning(100, 101, 1000, 40_000, 100_000, s)).isTrue();
        assertThat(CleaningPlan.worthCleaning(100, 101, 1000, 50_000, 100_000, s)).isFalse();
    }

    @Test
    void tombstonesGoBelowWhatAPassCleanedDeleteRetentionMsAgo() {
        CleanerCheckpoint cp = CleanerCheckpoint.NONE.afterPass(100, 10, 1_000).afterPass(300, 20, 5_000);
        assertThat(cp.tombstonesRemovableBelow(1_999, 1_000)).isZero();
        assertThat(cp.tombstonesRemovableBelow(2_000, 1_000)).isEqualTo(100);
        assertThat(cp.tombstonesRemovableBelow(6_000, 1_000)).isEqualTo(300);
        assertThat(cp.cleanedTo()).isEqualTo(300);
        assertThat(cp.kept()).isEqualTo(20);
    }

    @Test
    void theCheckpointSurvivesItsStoredFieldsAndForgetsOldPasses() {
        CleanerCheckpoint cp = CleanerCheckpoint.NONE.rolled(42, 7);
        for (int i = 1; i <= 20; i++) {
            cp = cp.afterPass(i * 10, i, i * 100);
        }
        assertThat(cp.passes()).hasSize(CleanerCheckpoint.MAX_PASSES);
        assertThat(cp.passes().get(0)).isEqualTo(new CleanerCheckpoint.Pass(50, 500));
        assertThat(CleanerCheckpoint.from(cp.fields())).isEqualTo(cp);
        assertThat(CleanerCheckpoint.from(java.util.Map.of())).isEqualTo(CleanerCheckpoint.NONE);
        assertThat(CleanerCheckpoint.NONE.passes()).isEqualTo(List.of());
    }
}
