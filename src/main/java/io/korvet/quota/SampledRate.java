package io.korvet.quota;

/**
 * A rate over the last few sample windows, measured as Kafka's quota sensors measure it ({@code Rate} over a
 * {@code SampledStat}): {@code samples} windows of {@code windowMs} each, a window starting at its first value, and the
 * rate being the values of the windows not yet obsolete over the time they span, counted as at least
 * {@code samples - 1} whole windows (so a client's first burst is not measured over a few milliseconds).
 */
final class SampledRate {

    private final int samples;
    private final long windowMs;
    private final long[] starts;
    private final double[] values;
    private int current;
    private long lastRecordMs;

    SampledRate(int samples, long windowMs) {
        if (samples < 2 || windowMs < 1) {
            throw new IllegalArgumentException("a rate needs at least two samples of at least 1 ms");
        }
        this.samples = samples;
        this.windowMs = windowMs;
        this.starts = new long[samples];
        this.values = new double[samples];
        java.util.Arrays.fill(starts, Long.MIN_VALUE);
    }

    /** Adds {@code value} at {@code nowMs} (negative to take back what was added). */
    synchronized void record(double value, long nowMs) {
        lastRecordMs = nowMs;
        if (starts[current] == Long.MIN_VALUE || nowMs - starts[current] >= windowMs) {
            current = starts[current] == Long.MIN_VALUE ? current : (current + 1) % samples;
            starts[current] = nowMs;
            values[current] = 0;
        }
        values[current] += value;
    }

    /** The rate per second at {@code nowMs}. */
    synchronized double perSecond(long nowMs) {
        purge(nowMs);
        double total = 0;
        for (int i = 0; i < samples; i++) {
            if (starts[i] != Long.MIN_VALUE) {
                total += values[i];
            }
        }
        return total / (windowSizeMs(nowMs) / 1000.0);
    }

    /** The time the rate is measured over at {@code nowMs} (Kafka's {@code Rate.windowSize}). */
    synchronized long windowSizeMs(long nowMs) {
        purge(nowMs);
        long oldest = nowMs;
        for (int i = 0; i < samples; i++) {
            if (starts[i] != Long.MIN_VALUE && starts[i] < oldest) {
                oldest = starts[i];
            }
        }
        long elapsed = nowMs - oldest;
        long fullWindows = elapsed / windowMs;
        if (fullWindows < samples - 1) {
            elapsed += (samples - 1 - fullWindows) * windowMs;
        }
        return elapsed;
    }

    /** When a value was last recorded (ms). */
    synchronized long lastRecordMs() {
        return lastRecordMs;
    }

    /**
     * Windows that started {@code samples} windows ago or earlier no longer count; the current one, if so old, starts
     * again empty now (records go on into it), as Kafka resets an obsolete sample.
     */
    private void purge(long nowMs) {
        long expireAge = samples * windowMs;
        for (int i = 0; i < samples; i++) {
            if (starts[i] != Long.MIN_VALUE && nowMs - starts[i] >= expireAge) {
                values[i] = 0;
                starts[i] = i == current ? nowMs : Long.MIN_VALUE;
            }
        }
    }
}
