package io.korvet.group;

import io.korvet.config.ConfigException;
import io.korvet.config.KorvetConfig;
import io.korvet.storage.ShareStateStore;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * The configs of groups (GROUP resources of DescribeConfigs and IncrementalAlterConfigs, {@code kafka-configs.sh
 * --entity-type groups}): share groups' {@code share.auto.offset.reset}, {@code share.record.lock.duration.ms},
 * {@code share.delivery.count.limit} and {@code share.isolation.level}, consumer-protocol groups'
 * {@code consumer.session.timeout.ms} and {@code consumer.heartbeat.interval.ms}; each falls back to the broker's
 * default. Kept in Redis, cached here for ten seconds at most (a change made through another broker is seen here
 * within that).
 */
public final class GroupConfigs {

    public static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";
    public static final String LOCK_DURATION = "share.record.lock.duration.ms";
    public static final String DELIVERY_LIMIT = "share.delivery.count.limit";
    public static final String ISOLATION_LEVEL = "share.isolation.level";
    public static final String CONSUMER_SESSION_TIMEOUT = "consumer.session.timeout.ms";
    public static final String CONSUMER_HEARTBEAT_INTERVAL = "consumer.heartbeat.interval.ms";

    /**
     * Consumer-protocol groups (KIP-848): the broker's session timeout and heartbeat interval, and the bounds a group's
     * own {@code consumer.session.timeout.ms} and {@code consumer.heartbeat.interval.ms} must keep to.
     */
    public record ConsumerSettings(int sessionTimeoutMs, int heartbeatIntervalMs, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                                   int minHeartbeatIntervalMs, int maxHeartbeatIntervalMs) {
        private static final String SESSION = "group.consumer.session.timeout.ms";
        private static final String HEARTBEAT = "group.consumer.heartbeat.interval.ms";
        private static final String MIN_SESSION = "group.consumer.min.session.timeout.ms";
        private static final String MAX_SESSION = "group.consumer.max.session.timeout.ms";
        private static final String MIN_HEARTBEAT = "group.consumer.min.heartbeat.interval.ms";
        private static final String MAX_HEARTBEAT = "group.consumer.max.heartbeat.interval.ms";

        /** The broker's keys, checked against each other as Kafka checks them at start-up. */
        public static ConsumerSettings from(KorvetConfig config) {
            ConsumerSettings s = new ConsumerSettings(Settings.positive(config, SESSION), Settings.positive(config, HEARTBEAT),
                    Settings.positive(config, MIN_SESSION), Settings.positive(config, MAX_SESSION),
                    Settings.positive(config, MIN_HEARTBEAT), Settings.positive(config, MAX_HEARTBEAT));
            require(s.maxHeartbeatIntervalMs >= s.minHeartbeatIntervalMs, MAX_HEARTBEAT + " must be greater than or equal to " + MIN_HEARTBEAT);
            require(s.heartbeatIntervalMs >= s.minHeartbeatIntervalMs, HEARTBEAT + " must be greater than or equal to " + MIN_HEARTBEAT);
            require(s.heartbeatIntervalMs <= s.maxHeartbeatIntervalMs, HEARTBEAT + " must be less than or equal to " + MAX_HEARTBEAT);
            require(s.maxSessionTimeoutMs >= s.minSessionTimeoutMs, MAX_SESSION + " must be greater than or equal to " + MIN_SESSION);
            require(s.sessionTimeoutMs >= s.minSessionTimeoutMs, SESSION + " must be greater than or equal to " + MIN_SESSION);
            require(s.sessionTimeoutMs <= s.maxSessionTimeoutMs, SESSION + " must be less than or equal to " + MAX_SESSION);
            require(s.heartbeatIntervalMs < s.sessionTimeoutMs, HEARTBEAT + " must be less than " + SESSION);
            return s;
        }

        private static void require(boolean holds, String rule) {
            if (!holds) {
                throw new ConfigException(rule);
            }
        }
    }

    /** A consumer-protocol group's session timeout and heartbeat interval in force. */
    public record ConsumerTimes(int sessionTimeoutMs, int heartbeatIntervalMs) {
    }

    /** The broker-wide settings of share groups. */
    public record Settings(int sessionTimeoutMs, int heartbeatIntervalMs, int lockDurationMs, int deliveryLimit, int maxRecordLocks) {
        public static Settings from(KorvetConfig config) {
            return new Settings(positive(config, "group.share.session.timeout.ms"), positive(config, "group.share.heartbeat.interval.ms"),
                    positive(config, "group.share.record.lock.duration.ms"), positive(config, "group.share.delivery.count.limit"),
                    positive(config, "group.share.partition.max.record.locks"));
        }

        static int positive(KorvetConfig config, String key) {
            return (int) KorvetConfig.parseLong(key, config.value(key), 1, Integer.MAX_VALUE);
        }
    }

    /** What one group uses. */
    public record Effective(boolean earliest, int lockDurationMs, int deliveryLimit, boolean readCommitted,
                            java.time.Duration byDuration) {

        /** Whether a new share partition starts at the first record at most {@link #byDuration} old. */
        public boolean startsByDuration() {
            return byDuration != null;
        }
    }

    private static final String BY_DURATION = "by_duration:";

    /** The duration of {@code by_duration:<ISO-8601 duration>}, or null for another value. */
    static java.time.Duration byDuration(String reset) {
        if (reset == null || !reset.toLowerCase(Locale.ROOT).startsWith(BY_DURATION)) {
            return null;
        }
        return java.time.Duration.parse(reset.substring(BY_DURATION.length()).trim());
    }

    private final Settings defaults;
    private final ConsumerSettings consumers;
    private final ShareStateStore store;
    /** How long a group's configs read from Redis are used before they are read again (another broker may change them). */
    private static final long REFRESH_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private static final int MAX_CACHED = 10_000;

    private record Cached(Map<String, String> configs, long readAtNanos) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public GroupConfigs(Settings defaults, ConsumerSettings consumers, ShareStateStore store) {
        this.defaults = defaults;
        this.consumers = consumers;
        this.store = store;
    }

    public Settings defaults() {
        return defaults;
    }

    /** The configs set on the group. */
    public CompletionStage<Map<String, String>> set(String groupId) {
        Cached cached = cache.get(groupId);
        if (cached != null && System.nanoTime() - cached.readAtNanos() < REFRESH_NANOS) {
            return CompletableFuture.completedFuture(cached.configs());
        }
        return store.configs(groupId).thenApply(c -> {
            Map<String, String> read = Map.copyOf(c);
            if (cache.size() >= MAX_CACHED) {
                // Requests may name any number of group ids: the cache is dropped rather than grown without end.
                cache.clear();
            }
            cache.put(groupId, new Cached(read, System.nanoTime()));
            return read;
        });
    }

    /**
     * A consumer-protocol group's session timeout and heartbeat interval, without waiting: from the configs read
     * last (the broker's defaults until they are read), which are read again in the background when older than ten
     * seconds. A group's heartbeats and its members' expiry call this on every beat.
     */
    public ConsumerTimes consumerTimes(String groupId) {
        Cached cached = cache.get(groupId);
        if (cached == null || System.nanoTime() - cached.readAtNanos() >= REFRESH_NANOS) {
            set(groupId);
        }
        return consumerTimes(cached == null ? Map.of() : cached.configs());
    }

    /** The session timeout and heartbeat interval that a group with these configs uses. */
    private ConsumerTimes consumerTimes(Map<String, String> configs) {
        return new ConsumerTimes(
                Integer.parseInt(configs.getOrDefault(CONSUMER_SESSION_TIMEOUT, Integer.toString(consumers.sessionTimeoutMs()))),
                Integer.parseInt(configs.getOrDefault(CONSUMER_HEARTBEAT_INTERVAL, Integer.toString(consumers.heartbeatIntervalMs()))));
    }

    public CompletionStage<Effective> effective(String groupId) {
        return set(groupId).thenApply(c -> new Effective(
                "earliest".equalsIgnoreCase(c.getOrDefault(AUTO_OFFSET_RESET, "latest")),
                Integer.parseInt(c.getOrDefault(LOCK_DURATION, Integer.toString(defaults.lockDurationMs()))),
                Integer.parseInt(c.getOrDefault(DELIVERY_LIMIT, Integer.toString(defaults.deliveryLimit()))),
                "read_committed".equals(c.getOrDefault(ISOLATION_LEVEL, "read_uncommitted")),
                byDuration(c.get(AUTO_OFFSET_RESET))));
    }

    /** Every config a group has, set or default, for DescribeConfigs: name to value and whether it is the default. */
    public CompletionStage<Map<String, Map.Entry<String, Boolean>>> describe(String groupId) {
        return set(groupId).thenApply(c -> {
            Map<String, Map.Entry<String, Boolean>> out = new LinkedHashMap<>();
            out.put(AUTO_OFFSET_RESET, entry(c, AUTO_OFFSET_RESET, "latest"));
            out.put(DELIVERY_LIMIT, entry(c, DELIVERY_LIMIT, Integer.toString(defaults.deliveryLimit())));
            out.put(LOCK_DURATION, entry(c, LOCK_DURATION, Integer.toString(defaults.lockDurationMs())));
            out.put(ISOLATION_LEVEL, entry(c, ISOLATION_LEVEL, "read_uncommitted"));
            out.put(CONSUMER_SESSION_TIMEOUT, entry(c, CONSUMER_SESSION_TIMEOUT, Integer.toString(consumers.sessionTimeoutMs())));
            out.put(CONSUMER_HEARTBEAT_INTERVAL, entry(c, CONSUMER_HEARTBEAT_INTERVAL, Integer.toString(consumers.heartbeatIntervalMs())));
            return out;
        });
    }

    private static Map.Entry<String, Boolean> entry(Map<String, String> set, String key, String dflt) {
        return set.containsKey(key) ? Map.entry(set.get(key), false) : Map.entry(dflt, true);
    }

    /** Changes the group's configs, refusing an unknown key or a bad value as Kafka does (INVALID_CONFIG). */
    public CompletionStage<Void> alter(String groupId, UnaryOperator<Map<String, String>> change, boolean validateOnly) {
        return set(groupId).thenCompose(current -> {
            Map<String, String> next = new LinkedHashMap<>();
            change.apply(new LinkedHashMap<>(current)).forEach((k, v) -> next.put(k, v == null ? null : v.trim()));
            next.forEach(this::validate);
            ConsumerTimes times = consumerTimes(next);
            if ((next.containsKey(CONSUMER_SESSION_TIMEOUT) || next.containsKey(CONSUMER_HEARTBEAT_INTERVAL))
                    && times.heartbeatIntervalMs() >= times.sessionTimeoutMs()) {
                throw new InvalidConfigurationException(CONSUMER_HEARTBEAT_INTERVAL + " (" + times.heartbeatIntervalMs()
                        + ") must be less than " + CONSUMER_SESSION_TIMEOUT + " (" + times.sessionTimeoutMs() + ")");
            }
            if (validateOnly) {
                return CompletableFuture.completedFuture(null);
            }
            return store.setConfigs(groupId, next).thenAccept(v -> cache.put(groupId, new Cached(Map.copyOf(next), System.nanoTime())));
        });
    }

    /** The ids of the groups that have configs set, in order. */
    public CompletionStage<java.util.Set<String>> configured() {
        return store.configuredGroups();
    }

    /** Forgets the group's configs (the group was deleted). */
    public CompletionStage<Void> forget(String groupId) {
        cache.remove(groupId);
        return store.setConfigs(groupId, Map.of());
    }

    private void validate(String key, String value) {
        switch (key) {
            case CONSUMER_SESSION_TIMEOUT -> number(key, value, consumers.minSessionTimeoutMs(), consumers.maxSessionTimeoutMs());
            case CONSUMER_HEARTBEAT_INTERVAL -> number(key, value, consumers.minHeartbeatIntervalMs(), consumers.maxHeartbeatIntervalMs());
            case AUTO_OFFSET_RESET -> {
                String v = value.toLowerCase(Locale.ROOT);
                if (!v.equals("latest") && !v.equals("earliest") && !validDuration(value)) {
                    throw new InvalidConfigurationException("Invalid value " + value + " for configuration " + key
                            + ": expected latest, earliest or by_duration:<ISO-8601 duration> (by_duration:PT1H), not negative.");
                }
            }
            case ISOLATION_LEVEL -> {
                if (!value.equals("read_committed") && !value.equals("read_uncommitted")) {
                    throw new InvalidConfigurationException("Invalid value " + value + " for configuration " + key
                            + ": String must be one of: read_committed, read_uncommitted");
                }
            }
            case LOCK_DURATION -> number(key, value, 1000, 3_600_000);
            case DELIVERY_LIMIT -> number(key, value, 2, 10);
            default -> throw new InvalidConfigurationException("Unknown group config name: " + key);
        }
    }

    private static boolean validDuration(String value) {
        try {
            java.time.Duration d = byDuration(value);
            return d != null && !d.isNegative();
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static void number(String key, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw new InvalidConfigurationException("Invalid value " + value + " for configuration " + key
                        + ": Value must be between " + min + " and " + max + ".");
            }
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException("Invalid value " + value + " for configuration " + key + ": Not a number.");
        }
    }
}
