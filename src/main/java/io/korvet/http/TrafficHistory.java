package io.korvet.http;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The last minutes of this broker's traffic for the console's plots, sampled at a fixed interval: records produced
 * and fetched per second by topic (from the broker's counters, so this broker's share of the cluster's traffic) and
 * the total lag of each group it coordinates. A ring of {@link #SAMPLES} samples; a series that starts late has
 * nulls before it, and a topic or group that is gone loses its series.
 */
final class TrafficHistory {

    static final int INTERVAL_SECONDS = 5;
    static final int SAMPLES = 120;

    private final long[] times = new long[SAMPLES];
    private final Map<String, double[]> produced = new HashMap<>();
    private final Map<String, double[]> fetched = new HashMap<>();
    private final Map<String, double[]> lags = new HashMap<>();
    private Map<String, double[]> lastTotals = Map.of();
    private long lastNanos;
    /** Where the next sample goes, and how many the ring holds. */
    private int next;
    private int count;

    /**
     * Takes one sample.
     *
     * @param totals records produced and fetched so far, by topic ({produced, fetched})
     * @param groupLag total lag by group
     */
    synchronized void sample(long nowMillis, long nowNanos, Map<String, double[]> totals, Map<String, Long> groupLag) {
        double seconds = lastNanos == 0 ? 0 : (nowNanos - lastNanos) / 1e9;
        int slot = next;
        times[slot] = nowMillis;
        for (Map.Entry<String, double[]> e : totals.entrySet()) {
            double[] before = lastTotals.get(e.getKey());
            double[] now = e.getValue();
            boolean rate = seconds > 0;
            series(produced, e.getKey())[slot] = !rate ? Double.NaN : (now[0] - (before == null ? 0 : before[0])) / seconds;
            series(fetched, e.getKey())[slot] = !rate ? Double.NaN : (now[1] - (before == null ? 0 : before[1])) / seconds;
        }
        groupLag.forEach((id, lag) -> series(lags, id)[slot] = lag);
        // What is gone loses its series; every series left got a value for this sample.
        produced.keySet().retainAll(totals.keySet());
        fetched.keySet().retainAll(totals.keySet());
        lags.keySet().retainAll(groupLag.keySet());
        lastTotals = Map.copyOf(totals);
        lastNanos = nowNanos;
        next = (next + 1) % SAMPLES;
        count = Math.min(SAMPLES, count + 1);
    }

    private static double[] series(Map<String, double[]> all, String name) {
        return all.computeIfAbsent(name, n -> {
            double[] s = new double[SAMPLES];
            Arrays.fill(s, Double.NaN);
            return s;
        });
    }

    /** The topic's produce rate in the last sample, 0 when there is none. */
    synchronized double latestProducedRate(String topic) {
        double[] s = produced.get(topic);
        if (s == null || count == 0) {
            return 0;
        }
        double v = s[(next - 1 + SAMPLES) % SAMPLES];
        return Double.isNaN(v) ? 0 : v;
    }

    /** The history as JSON, oldest sample first, for the topics and groups the caller may see. */
    synchronized String json(Predicate<String> topicVisible, Predicate<String> groupVisible) {
        int first = (next - count + SAMPLES) % SAMPLES;
        JsonWriter json = new JsonWriter().beginObject().field("intervalSeconds", INTERVAL_SECONDS).name("timestamps").beginArray();
        for (int i = 0; i < count; i++) {
            json.value(times[(first + i) % SAMPLES]);
        }
        json.endArray().name("topics").beginObject();
        for (String topic : new TreeMap<>(produced).keySet()) {
            if (topicVisible.test(topic)) {
                json.name(topic).beginObject();
                values(json.name("produced"), produced.get(topic), first);
                values(json.name("fetched"), fetched.get(topic), first);
                json.endObject();
            }
        }
        json.endObject().name("groups").beginObject();
        for (String group : new TreeMap<>(lags).keySet()) {
            if (groupVisible.test(group)) {
                values(json.name(group).beginObject().name("lag"), lags.get(group), first);
                json.endObject();
            }
        }
        return json.endObject().endObject().toString();
    }

    private void values(JsonWriter json, double[] series, int first) {
        json.beginArray();
        for (int i = 0; i < count; i++) {
            json.value(series[(first + i) % SAMPLES]);
        }
        json.endArray();
    }
}
