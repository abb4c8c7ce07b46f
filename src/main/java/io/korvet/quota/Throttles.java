package io.korvet.quota;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This broker's enforcement of the byte-rate quotas, as Kafka's {@code ClientQuotaManager} enforces them on each broker:
 * the bytes a client produces (its Produce requests' sizes) or fetches (its Fetch responses' record bytes) are counted
 * at the quota's {@link SampledRate}; past the quota, the client is throttled for the time that brings its rate back
 * to the quota, {@code (rate - quota) / quota * window}, which its response carries (throttle_time_ms) and for which
 * its connection is muted (KIP-219).
 */
public final class Throttles {

    /** No quota is ever exceeded: for brokers or tests without quotas. */
    public static final Throttles NONE = new Throttles(null, 11, 1000, (quota, ms) -> { });

    /** Told of every throttle: the quota key and the time (ms). */
    public interface Observer {
        void throttled(String quota, int ms);
    }

    /** Sensors idle for this long are dropped, as Kafka expires its quota sensors. */
    private static final long SENSOR_IDLE_MS = 3_600_000;
    private static final long SWEEP_EVERY_MS = 60_000;

    private record SensorKey(String quota, String user, String clientId) {
    }

    private final ClientQuotas quotas;
    private final int samples;
    private final long windowMs;
    private final Map<SensorKey, SampledRate> sensors = new ConcurrentHashMap<>();
    private final Map<SensorKey, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastSweepMs;
    private final Observer observer;

    /**
     * @param samples Kafka's {@code quota.window.num}
     * @param windowMs Kafka's {@code quota.window.size.seconds}, in ms
     */
    public Throttles(ClientQuotas quotas, int samples, long windowMs, Observer observer) {
        this.observer = observer;
        this.quotas = quotas;
        this.samples = samples;
        this.windowMs = windowMs;
    }

    /**
     * Counts {@code value} bytes against the quota {@code key} of the client, and returns how long (ms) it is to be
     * throttled: 0 while it stays within its quota, or when it has none.
     */
    public int recordAndThrottleMs(String key, String user, String clientId, double value, long nowMs) {
        return throttleMs(key, limit(key, user, clientId), value, nowMs);
    }

    /**
     * KIP-612: counts a new connection from {@code address} against its {@code connection_creation_rate} and returns
     * how long (ms) to hold it before closing it, 0 to serve it. A connection refused so is not counted.
     */
    public int connectionThrottleMs(java.net.InetAddress address, long nowMs) {
        ClientQuotas.Limit limit = quotas == null ? null : quotas.ipLimit(address);
        int ms = throttleMs(ClientQuotas.CONNECTION_CREATION_RATE, limit, 1, nowMs);
        if (ms > 0) {
            sensor(ClientQuotas.CONNECTION_CREATION_RATE, limit, nowMs).record(-1, nowMs);
        }
        // As Kafka's acceptor: a held connection is closed within one quota window (a lowered quota must not hold
        // sockets open for minutes, which is what the quota protects against).
        return (int) Math.min(ms, windowMs);
    }

    private int throttleMs(String key, ClientQuotas.Limit limit, double value, long nowMs) {
        if (limit == null) {
            return 0;
        }
        SampledRate rate = sensor(key, limit, nowMs);
        rate.record(value, nowMs);
        double perSecond = rate.perSecond(nowMs);
        if (perSecond <= limit.bound()) {
            return 0;
        }
        double throttle = (perSecond - limit.bound()) / limit.bound() * rate.windowSizeMs(nowMs);
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.round(throttle));
        if (ms > 0) {
            observer.throttled(key, ms);
        }
        return ms;
    }

    /**
     * KIP-599: how long (ms) the client is throttled by its {@code controller_mutation_rate} right now, 0 when it may
     * create or delete partitions (a strict request, CreateTopics v6+, CreatePartitions v3+, DeleteTopics v5+, is
     * then refused THROTTLING_QUOTA_EXCEEDED for the topic).
     */
    public int mutationThrottleMs(String user, String clientId, long nowMs) {
        ClientQuotas.Limit limit = limit(ClientQuotas.CONTROLLER_MUTATION_RATE, user, clientId);
        if (limit == null) {
            return 0;
        }
        int ms = bucket(limit, nowMs).throttleMs(limit.bound(), nowMs);
        if (ms > 0) {
            observer.throttled(ClientQuotas.CONTROLLER_MUTATION_RATE, ms);
        }
        return ms;
    }

    /** Counts partitions the client created or deleted against its {@code controller_mutation_rate}. */
    public void recordMutations(String user, String clientId, int partitions, long nowMs) {
        ClientQuotas.Limit limit = limit(ClientQuotas.CONTROLLER_MUTATION_RATE, user, clientId);
        if (limit != null) {
            bucket(limit, nowMs).take(partitions, limit.bound(), nowMs);
        }
    }

    private TokenBucket bucket(ClientQuotas.Limit limit, long nowMs) {
        sweep(nowMs);
        return buckets.computeIfAbsent(new SensorKey(ClientQuotas.CONTROLLER_MUTATION_RATE, limit.user(), limit.clientId()),
                k -> new TokenBucket(samples * windowMs));
    }

    /** Takes back bytes counted by {@link #recordAndThrottleMs} that were not sent after all (a throttled fetch). */
    public void unrecord(String key, String user, String clientId, double value, long nowMs) {
        ClientQuotas.Limit limit = limit(key, user, clientId);
        if (limit != null) {
            sensor(key, limit, nowMs).record(-value, nowMs);
        }
    }

    /**
     * The most bytes the client can be given at once without being throttled for certain even after an idle window
     * (Kafka caps a consumer's fetch size by it); {@link Integer#MAX_VALUE} without a quota.
     */
    public int maxValueInWindow(String key, String user, String clientId) {
        ClientQuotas.Limit limit = limit(key, user, clientId);
        if (limit == null) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.min(Integer.MAX_VALUE, limit.bound() * (samples - 1) * windowMs / 1000.0);
    }

    /** The throttles of {@code quotas} with the broker's {@code quota.window.num} and {@code quota.window.size.seconds}. */
    public static Throttles of(ClientQuotas quotas, io.korvet.config.KorvetConfig config, Observer observer) {
        int samples = (int) io.korvet.config.KorvetConfig.parseLong("quota.window.num", config.value("quota.window.num"), 2, 1000);
        long seconds = io.korvet.config.KorvetConfig.parseLong("quota.window.size.seconds",
                config.value("quota.window.size.seconds"), 1, 3600);
        return new Throttles(quotas, samples, seconds * 1000, observer);
    }

    /** The quota {@code key} of the client, or null (none set, or no quotas at all). */
    private ClientQuotas.Limit limit(String key, String user, String clientId) {
        return quotas == null ? null : quotas.limit(key, user, clientId);
    }

    /** Drops, once a minute, the sensors and buckets idle for an hour. */
    private void sweep(long nowMs) {
        if (nowMs - lastSweepMs > SWEEP_EVERY_MS) {
            lastSweepMs = nowMs;
            sensors.values().removeIf(r -> nowMs - r.lastRecordMs() > SENSOR_IDLE_MS);
            buckets.values().removeIf(b -> nowMs - b.lastRecordMs() > SENSOR_IDLE_MS);
        }
    }

    private SampledRate sensor(String key, ClientQuotas.Limit limit, long nowMs) {
        sweep(nowMs);
        return sensors.computeIfAbsent(new SensorKey(key, limit.user(), limit.clientId()), k -> new SampledRate(samples, windowMs));
    }
}
