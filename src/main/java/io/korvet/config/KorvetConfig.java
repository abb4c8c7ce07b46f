package io.korvet.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The broker's whole configuration, immutable. Built by {@link ConfigLoader} from Kafka-style keys;
 * {@link #KEYS} lists every key it knows with its default.
 */
public record KorvetConfig(
        List<ListenerConfig> listeners,
        long failedAuthenticationDelayMs,
        int nodeId,
        String clusterId,
        int numPartitions,
        boolean autoCreateTopics,
        int messageMaxBytes,
        int socketRequestMaxBytes,
        long queuedMaxRequestBytes,
        String logMessageTimestampType,
        String redisUri,
        String namespace,
        Path dataDir,
        int embeddedRedisPort,
        Duration redisTimeout,
        int producerStateScanEntries,
        int fetchSessionCacheSlots,
        GroupSettings groups,
        RetentionSettings retention,
        MembershipSettings membership,
        AuthorizerSettings authorizer,
        NetworkSettings network,
        Map<String, String> settings) {

    /** ACLs on: the super users (User:name) and whether resources without ACLs are open. Null when ACLs are off. */
    public record AuthorizerSettings(java.util.Set<String> superUsers, boolean allowEveryoneIfNoAclFound) {
    }

    private static final java.util.Set<String> AUTHORIZERS = java.util.Set.of(
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer", "kafka.security.authorizer.AclAuthorizer");

    private static AuthorizerSettings authorizer(Map<String, String> all) {
        String name = all.get("authorizer.class.name").trim();
        boolean allow = boolValue(all, "allow.everyone.if.no.acl.found");
        java.util.Set<String> supers = new java.util.LinkedHashSet<>();
        for (String p : all.get("super.users").split(";")) {
            String principal = p.trim();
            if (principal.isEmpty()) {
                continue;
            }
            if (principal.indexOf(':') <= 0) {
                throw new ConfigException("super.users: expected User:name entries separated by ';', got '" + principal + "'");
            }
            supers.add(principal);
        }
        if (name.isEmpty()) {
            return null;
        }
        if (!AUTHORIZERS.contains(name)) {
            throw new ConfigException("authorizer.class.name: Korvet has Kafka's ACL authorizer,"
                    + " org.apache.kafka.metadata.authorizer.StandardAuthorizer (or kafka.security.authorizer.AclAuthorizer), got '"
                    + name + "'");
        }
        return new AuthorizerSettings(java.util.Set.copyOf(supers), allow);
    }

    /** The group coordinator's settings, with Kafka's names and defaults. */
    public record GroupSettings(int minSessionTimeoutMs, int maxSessionTimeoutMs, int initialRebalanceDelayMs,
                                int offsetMetadataMaxBytes, long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs) {
    }

    /**
     * The broker-wide retention defaults (topics override them with {@code retention.ms} and
     * {@code retention.bytes}): -1 means unlimited.
     */
    public record RetentionSettings(long retentionMs, long retentionBytes, long checkIntervalMs) {
    }

    /** Every key the broker accepts ({@link ConfigKeys}), with its default ("" for none). */
    public static final Map<String, String> KEYS;

    static {
        Map<String, String> keys = new TreeMap<>();
        for (ConfigKeys.Key key : ConfigKeys.ALL) {
            keys.put(key.name(), key.defaultValue());
        }
        KEYS = Map.copyOf(keys);
    }

    public static KorvetConfig defaults() {
        return fromMap(Map.of());
    }

    /**
     * Builds the configuration from explicit settings over the defaults. An unknown {@code korvet.*} key is rejected
     * (a mistake in Korvet's own keys); any other key is kept, as Kafka keeps keys it does not know: Kafka's broker
     * keys that set topic defaults take effect through them, and the start-up log names the rest
     * ({@code KafkaBrokerKeys}).
     */
    public static KorvetConfig fromMap(Map<String, String> settings) {
        ListenerKeys.refuseUnsupported(settings);
        for (String key : settings.keySet()) {
            if (key.startsWith("korvet.") && !KEYS.containsKey(key)) {
                throw new ConfigException("unknown setting '" + key + "'; Korvet's own settings: "
                        + KEYS.keySet().stream().filter(k -> k.startsWith("korvet.")).toList());
            }
        }
        Map<String, String> all = new TreeMap<>(KEYS);
        all.putAll(settings);
        reconcileNodeId(all, settings);
        List<ListenerConfig> listeners = ListenerConfigs.parse(all, settings);
        String tsType = all.get("log.message.timestamp.type");
        if (!tsType.equals("CreateTime") && !tsType.equals("LogAppendTime")) {
            throw new ConfigException("log.message.timestamp.type: expected CreateTime or LogAppendTime, got '" + tsType + "'");
        }
        intValue(all, "min.insync.replicas", 1, Integer.MAX_VALUE);
        intValue(all, "korvet.max.partitions.per.topic", 1, Integer.MAX_VALUE);
        if (io.korvet.storage.StreamFormat.parse(all.get("korvet.stream.format")) == null) {
            throw new ConfigException("korvet.stream.format: expected batch or record, got '" + all.get("korvet.stream.format") + "'");
        }
        String namespace = all.get("korvet.namespace");
        if (namespace.isEmpty() || !namespace.matches("[a-zA-Z0-9._-]+")) {
            throw new ConfigException("korvet.namespace: expected [a-zA-Z0-9._-]+, got '" + namespace + "'");
        }
        String uri = all.get("korvet.redis.uri").trim();
        if (!uri.isEmpty() && !uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new ConfigException("korvet.redis.uri: expected redis://host:port, got '" + uri + "'");
        }
        cleanerSettings(all);
        return new KorvetConfig(
                listeners,
                longValue(all, "connection.failed.authentication.delay.ms", 0, Integer.MAX_VALUE),
                intValue(all, "node.id", 0, Integer.MAX_VALUE),
                all.get("korvet.cluster.id"),
                intValue(all, "num.partitions", 1, 1_000_000),
                boolValue(all, "auto.create.topics.enable"),
                intValue(all, "message.max.bytes", 0, Integer.MAX_VALUE),
                intValue(all, "socket.request.max.bytes", 1, Integer.MAX_VALUE),
                longValue(all, "queued.max.request.bytes", -1, Long.MAX_VALUE),
                tsType,
                uri.isEmpty() ? null : uri,
                namespace,
                dataDir(all, settings),
                intValue(all, "korvet.embedded.redis.port", 0, 65535),
                Duration.ofMillis(intValue(all, "korvet.redis.timeout.ms", 1, Integer.MAX_VALUE)),
                intValue(all, "korvet.producer.state.scan.entries", 0, Integer.MAX_VALUE),
                intValue(all, "max.incremental.fetch.session.cache.slots", 0, Integer.MAX_VALUE),
                new GroupSettings(
                        intValue(all, "group.min.session.timeout.ms", 0, Integer.MAX_VALUE),
                        intValue(all, "group.max.session.timeout.ms", 0, Integer.MAX_VALUE),
                        intValue(all, "group.initial.rebalance.delay.ms", 0, Integer.MAX_VALUE),
                        intValue(all, "offset.metadata.max.bytes", 0, Integer.MAX_VALUE),
                        longValue(all, "offsets.retention.minutes", 1, Integer.MAX_VALUE) * 60_000L,
                        longValue(all, "offsets.retention.check.interval.ms", 1, Long.MAX_VALUE)),
                new RetentionSettings(
                        retentionMillis(key -> all.get(key).isBlank() ? null : all.get(key)),
                        longValue(all, "log.retention.bytes", -1, Long.MAX_VALUE),
                        longValue(all, "log.retention.check.interval.ms", 1, Long.MAX_VALUE)),
                MembershipSettings.from(all),
                authorizer(all),
                NetworkSettings.from(all),
                Map.copyOf(settings));
    }

    /**
     * The embedded Redis's data directory: {@code korvet.data.dir}, else the first of Kafka's {@code log.dirs} (or
     * {@code log.dir}), where an operator's {@code server.properties} keeps the broker's data, else the default.
     */
    private static Path dataDir(Map<String, String> all, Map<String, String> settings) {
        if (!settings.containsKey("korvet.data.dir")) {
            for (String kafkaKey : List.of("log.dirs", "log.dir")) {
                String first = all.get(kafkaKey).split(",")[0].trim();
                if (!first.isEmpty()) {
                    return Path.of(first);
                }
            }
        }
        return Path.of(all.get("korvet.data.dir"));
    }

    /** Kafka's rule: broker.id stands for node.id when that is not set; when both are, they must agree. */
    private static void reconcileNodeId(Map<String, String> all, Map<String, String> settings) {
        String brokerId = all.get("broker.id").trim();
        if (brokerId.isEmpty()) {
            return;
        }
        if (!settings.containsKey("node.id")) {
            all.put("node.id", brokerId);
        } else if (!brokerId.equals(all.get("node.id").trim())) {
            throw new ConfigException("broker.id (" + brokerId + ") and node.id (" + all.get("node.id").trim()
                    + ") must be the same when both are set");
        }
    }

    /**
     * The log cleaner's settings: whether it runs ({@code log.cleaner.enable}), its threads, its back-off when nothing
     * is worth cleaning, the bytes of its map of keys and how full that may get.
     */
    public record CleanerSettings(boolean enabled, int threads, long backoffMs, long dedupeBufferBytes, double loadFactor) {
    }

    /** The log cleaner's settings ({@code log.cleaner.*}). */
    public CleanerSettings cleaner() {
        Map<String, String> all = new TreeMap<>(KEYS);
        all.putAll(settings);
        return cleanerSettings(all);
    }

    private static CleanerSettings cleanerSettings(Map<String, String> all) {
        String factor = all.get("log.cleaner.io.buffer.load.factor").trim();
        double loadFactor;
        try {
            loadFactor = Double.parseDouble(factor);
        } catch (NumberFormatException e) {
            throw new ConfigException("log.cleaner.io.buffer.load.factor: expected a number, got '" + factor + "'");
        }
        if (!(loadFactor > 0 && loadFactor <= 1)) {
            throw new ConfigException("log.cleaner.io.buffer.load.factor: " + factor + " is out of range (0, 1]");
        }
        return new CleanerSettings(boolValue(all, "log.cleaner.enable"), intValue(all, "log.cleaner.threads", 1, 64),
                longValue(all, "log.cleaner.backoff.ms", 1, Long.MAX_VALUE),
                longValue(all, "log.cleaner.dedupe.buffer.size", 1024, Long.MAX_VALUE), loadFactor);
    }

    /**
     * Kafka's rule for the broker's retention time: {@code log.retention.ms} if set, else
     * {@code log.retention.minutes}, else {@code log.retention.hours}; negative means unlimited (-1).
     *
     * @param lookup the value of a key, or null when it is not set
     */
    public static long retentionMillis(java.util.function.Function<String, String> lookup) {
        String ms = lookup.apply("log.retention.ms");
        String minutes = lookup.apply("log.retention.minutes");
        long millis;
        if (ms != null) {
            millis = parseLong("log.retention.ms", ms, -1, Long.MAX_VALUE);
        } else if (minutes != null) {
            millis = parseLong("log.retention.minutes", minutes, -1, Integer.MAX_VALUE) * 60_000L;
        } else {
            String hours = lookup.apply("log.retention.hours");
            millis = hours == null ? 168 * 3_600_000L : parseLong("log.retention.hours", hours, -1, Integer.MAX_VALUE) * 3_600_000L;
        }
        return millis < 0 ? -1 : millis;
    }

    /** Whether the broker must start a Redis of its own. */
    public boolean embeddedRedis() {
        return redisUri == null;
    }

    /** The value in force of a key: as set, else its default. */
    public String value(String key) {
        return settings.getOrDefault(key, KEYS.get(key));
    }

    /** The first listener's bind address. */
    public Endpoint listener() {
        return listeners.get(0).bind();
    }

    /** The first listener's advertised address. */
    public Endpoint advertisedListener() {
        return listeners.get(0).advertised();
    }

    private static int intValue(Map<String, String> all, String key, int min, int max) {
        return (int) parseLong(key, all.get(key), min, max);
    }

    private static long longValue(Map<String, String> all, String key, long min, long max) {
        return parseLong(key, all.get(key), min, max);
    }

    /** Parses a whole number within [min, max], or throws a {@link ConfigException} naming the key. */
    public static long parseLong(String key, String value, long min, long max) {
        String raw = value.trim();
        long v;
        try {
            v = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": expected a whole number, got '" + raw + "'");
        }
        if (v < min || v > max) {
            throw new ConfigException(key + ": " + v + " is out of range [" + min + ", " + max + "]");
        }
        return v;
    }

    private static boolean boolValue(Map<String, String> all, String key) {
        String raw = all.get(key).trim();
        if (raw.equalsIgnoreCase("true")) {
            return true;
        }
        if (raw.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(key + ": expected true or false, got '" + raw + "'");
    }
}
