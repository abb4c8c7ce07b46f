package io.korvet.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficHistoryTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void ratesFromCountersWithNullsBeforeASeriesStarts() {
        TrafficHistory h = new TrafficHistory();
        h.sample(1000, 1 * SECOND, Map.of("a", new double[] {0, 0}), Map.of());
        h.sample(6000, 6 * SECOND, Map.of("a", new double[] {50, 10}), Map.of("g", 7L));
        h.sample(11000, 11 * SECOND, Map.of("a", new double[] {100, 60}, "b", new double[] {5, 0}), Map.of("g", 3L));
        assertThat(h.latestProducedRate("a")).isEqualTo(10.0);
        assertThat(h.latestProducedRate("b")).isEqualTo(1.0);
        assertThat(h.latestProducedRate("c")).isZero();
        assertThat(h.json(t -> true, g -> true)).isEqualTo("{\"intervalSeconds\":5,\"timestamps\":[1000,6000,11000],"
                + "\"topics\":{\"a\":{\"produced\":[null,10,10],\"fetched\":[null,2,10]},\"b\":{\"produced\":[null,null,1],"
                + "\"fetched\":[null,null,0]}},\"groups\":{\"g\":{\"lag\":[null,7,3]}}}");
    }

    @Test
    void hiddenAndGoneSeriesAreLeftOut() {
        TrafficHistory h = new TrafficHistory();
        h.sample(1000, SECOND, Map.of("a", new double[] {0, 0}, "secret", new double[] {0, 0}), Map.of("g", 1L));
        h.sample(2000, 2 * SECOND, Map.of("secret", new double[] {1, 1}), Map.of());
        assertThat(h.json(t -> !t.equals("secret"), g -> true))
                .isEqualTo("{\"intervalSeconds\":5,\"timestamps\":[1000,2000],\"topics\":{},\"groups\":{}}");
    }

    @Test
    void theRingKeepsTheLastSamples() {
        TrafficHistory h = new TrafficHistory();
        for (int i = 0; i < TrafficHistory.SAMPLES + 10; i++) {
            h.sample(i, (i + 1) * SECOND, Map.of("a", new double[] {i, 0}), Map.of());
        }
        String json = h.json(t -> true, g -> true);
        assertThat(json).startsWith("{\"intervalSeconds\":5,\"timestamps\":[10,11,");
        assertThat(json).contains("," + (TrafficHistory.SAMPLES + 9) + "],");
    }
}
