package io.korvet.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The rate Kafka's quota sensors measure: sampled windows, the time they span counted as at least samples - 1 windows. */
class SampledRateTest {

    @Test
    void aFirstBurstIsMeasuredOverTheWholeWindowNotItsFewMilliseconds() {
        SampledRate rate = new SampledRate(11, 1000);
        rate.record(1000, 5_000);
        assertThat(rate.windowSizeMs(5_000)).isEqualTo(10_000);
        assertThat(rate.perSecond(5_000)).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void valuesOfSeveralWindowsCountOverTheTimeSinceTheOldest() {
        SampledRate rate = new SampledRate(11, 1000);
        rate.record(100, 0);
        rate.record(100, 1_500);
        rate.record(100, 1_600);
        // Two windows (from 0 and from 1500); 1600 ms elapsed, one full window, padded to ten.
        assertThat(rate.windowSizeMs(1_600)).isEqualTo(10_600);
        assertThat(rate.perSecond(1_600)).isCloseTo(300 / 10.6, within(1e-9));
        // Long after, past samples x window, every window is obsolete.
        rate.record(50, 13_000);
        assertThat(rate.perSecond(13_000)).isCloseTo(50 / 10.0, within(1e-9));
    }

    @Test
    void aValueTakenBackNoLongerCounts() {
        SampledRate rate = new SampledRate(2, 1000);
        rate.record(4000, 0);
        rate.record(-4000, 10);
        assertThat(rate.perSecond(20)).isZero();
        assertThat(rate.lastRecordMs()).isEqualTo(10);
    }

    @Test
    void oldWindowsAreReusedInTurn() {
        SampledRate rate = new SampledRate(2, 1000);
        rate.record(1000, 0);
        rate.record(1000, 1000);
        rate.record(1000, 2000);
        // The window of 0 was reused for 2000: the windows of 1000 and 2000 count, over the 1000 ms since the older.
        assertThat(rate.windowSizeMs(2000)).isEqualTo(1000);
        assertThat(rate.perSecond(2000)).isCloseTo(2000.0, within(1e-9));
    }
}
