package io.korvet.quota;

/**
 * Kafka's {@code TokenBucket} for {@code controller_mutation_rate} (KIP-599): it holds up to {@code rate x window}
 * tokens (the burst), refills at {@code rate} tokens a second, and each partition created or deleted takes one. A
 * request may take it below zero; until it is back at zero the client waits {@code -tokens / rate} seconds.
 */
final class TokenBucket {

    private final long windowMs;
    private double rate;
    private double tokens = Double.NaN;
    private long lastMs;
    private long lastRecordMs;

    /** @param windowMs the burst's span: {@code quota.window.num x quota.window.size.seconds} */
    TokenBucket(long windowMs) {
        this.windowMs = windowMs;
    }

    /** The tokens at {@code nowMs}, refilled at {@code perSecond} (the quota in force) since last asked. */
    private double refill(double perSecond, long nowMs) {
        double burst = perSecond * windowMs / 1000.0;
        if (Double.isNaN(tokens)) {
            tokens = burst;
        } else {
            tokens = Math.min(burst, tokens + rate * Math.max(0, nowMs - lastMs) / 1000.0);
        }
        rate = perSecond;
        lastMs = nowMs;
        return tokens;
    }

    /** How long (ms) a client must wait before the bucket is back at zero, 0 when it is not below. */
    synchronized int throttleMs(double perSecond, long nowMs) {
        double t = refill(perSecond, nowMs);
        return t >= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.round(-t / perSecond * 1000));
    }

    /** Takes {@code permits} tokens, below zero if need be. */
    synchronized void take(double permits, double perSecond, long nowMs) {
        refill(perSecond, nowMs);
        tokens -= permits;
        lastRecordMs = nowMs;
    }

    synchronized long lastRecordMs() {
        return lastRecordMs;
    }
}
