package io.korvet.topic;

import io.korvet.config.ConfigException;
import io.korvet.config.ConfigKeys;
import io.korvet.config.KorvetConfig;
import io.korvet.config.ListenerKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * The broker's configs as Kafka layers them: dynamic for this broker, dynamic cluster-wide default, static
 * (set in the properties file, the environment or flags) and built-in defaults, the first layer holding a
 * key winning. The dynamic layers are kept in Redis and changed with AlterConfigs; only {@link #DYNAMIC}
 * keys may be changed that way. Also knows Kafka's defaults of the broker configs that back topic configs
 * Korvet has no setting for (for example {@code log.segment.bytes}), so that topic configs report the same
 * synonyms as on Kafka.
 */
public final class BrokerConfigs {

    /**
     * The broker configs Korvet changes at runtime (AlterConfigs on a broker resource): those that set topic defaults,
     * as in Kafka ({@code log.retention.ms}, {@code message.max.bytes}, {@code min.insync.replicas},
     * {@code compression.type}, {@code log.cleanup.policy} ...); topics without a value of their own follow at once.
     */
    public static final Set<String> DYNAMIC = dynamicKeys();

    private static Set<String> dynamicKeys() {
        Set<String> keys = new TreeSet<>(TopicConfigs.brokerSynonyms().keySet());
        keys.remove(TopicConfigs.STREAM_FORMAT); // fixed per topic at creation; the broker's default is static
        return Set.copyOf(keys);
    }

    /** Kafka's defaults of broker configs Korvet has no key for, but that topic configs fall back to. */
    private static final Map<String, String> KAFKA_DEFAULTS = Map.ofEntries(
            Map.entry("log.cleanup.policy", "delete"),
            Map.entry("compression.type", "producer"),
            Map.entry("compression.gzip.level", "-1"),
            Map.entry("compression.lz4.level", "9"),
            Map.entry("compression.zstd.level", "3"),
            Map.entry("log.cleaner.delete.retention.ms", "86400000"),
            Map.entry("log.segment.delete.delay.ms", "60000"),
            Map.entry("log.flush.interval.messages", Long.toString(Long.MAX_VALUE)),
            Map.entry("log.flush.scheduler.interval.ms", Long.toString(Long.MAX_VALUE)),
            Map.entry("log.index.interval.bytes", "4096"),
            Map.entry("log.local.retention.bytes", "-2"),
            Map.entry("log.local.retention.ms", "-2"),
            Map.entry("log.cleaner.max.compaction.lag.ms", Long.toString(Long.MAX_VALUE)),
            Map.entry("log.message.timestamp.after.max.ms", "3600000"),
            Map.entry("log.message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE)),
            Map.entry("log.cleaner.min.cleanable.ratio", "0.5"),
            Map.entry("log.cleaner.min.compaction.lag.ms", "0"),
            Map.entry("log.preallocate", "false"),
            Map.entry("log.segment.bytes", "1073741824"),
            Map.entry("log.index.size.max.bytes", "10485760"),
            Map.entry("log.roll.jitter.hours", "0"),
            Map.entry("log.roll.hours", "168"),
            Map.entry("unclean.leader.election.enable", "false"));

    /** Broker configs that are one setting under several names (Kafka's DynamicBrokerConfig.brokerConfigSynonyms). */
    private static final List<List<String>> SYNONYM_GROUPS = List.of(
            List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"),
            List.of("log.roll.ms", "log.roll.hours"),
            List.of("log.roll.jitter.ms", "log.roll.jitter.hours"),
            List.of("log.flush.interval.ms", "log.flush.scheduler.interval.ms"));

    private static final Set<String> LONG_KEYS = Set.of("log.retention.ms", "log.retention.bytes", "log.retention.check.interval.ms");
    private static final Set<String> INT_KEYS = Set.of("log.retention.minutes");

    private record Layer(ConfigSource source, Map<String, String> values) {
    }

    private final KorvetConfig config;
    private final Map<String, String> defaults;
    /** Resource name ("" for the cluster-wide default, else a node id) to its dynamic configs; copy on write. */
    private volatile Map<String, Map<String, String>> dynamic;

    public BrokerConfigs(KorvetConfig config) {
        this(config, Map.of());
    }

    public BrokerConfigs(KorvetConfig config, Map<String, Map<String, String>> dynamic) {
        this.config = config;
        Map<String, String> d = new HashMap<>(KAFKA_DEFAULTS);
        KorvetConfig.KEYS.forEach((k, v) -> {
            if (!v.isEmpty()) {
                d.put(k, v);
            }
        });
        this.defaults = Map.copyOf(d);
        this.dynamic = copy(dynamic);
    }

    public KorvetConfig config() {
        return config;
    }

    /** The node id as a broker resource name. */
    public String nodeResource() {
        return Integer.toString(config.nodeId());
    }

    /** The dynamic configs of one resource ("" for the cluster-wide default). */
    public Map<String, String> dynamic(String resource) {
        return dynamic.getOrDefault(resource, Map.of());
    }

    /** Installs a resource's dynamic configs, as now stored; true when they changed. */
    public synchronized boolean setDynamic(String resource, Map<String, String> configs) {
        if (dynamic(resource).equals(configs)) {
            return false;
        }
        Map<String, Map<String, String>> next = new HashMap<>(dynamic);
        if (configs.isEmpty()) {
            next.remove(resource);
        } else {
            next.put(resource, Map.copyOf(configs));
        }
        dynamic = copy(next);
        return true;
    }

    /** The value in force for a broker key, or null when no layer has one. */
    public String value(String name) {
        for (Layer layer : layers()) {
            String v = layer.values.get(name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** The broker-wide retention time in force (log.retention.ms, .minutes, .hours): -1 for unlimited. */
    public long retentionMs() {
        return KorvetConfig.retentionMillis(this::value);
    }

    /** The broker-wide retention size in force (log.retention.bytes): -1 for unlimited. */
    public long retentionBytes() {
        return Long.parseLong(value("log.retention.bytes").trim());
    }

    /**
     * Kafka's synonyms of a broker config: every layer's value of it and of the keys that are the same setting
     * under other names, layer by layer, from the first one naming {@code name} itself on.
     */
    List<ConfigView.Synonym> synonyms(String name) {
        List<String> group = SYNONYM_GROUPS.stream().filter(g -> g.contains(name)).findFirst().orElse(List.of(name));
        boolean sensitive = ConfigKeys.isSensitive(name);
        List<ConfigView.Synonym> all = new ArrayList<>();
        for (Layer layer : layers()) {
            for (String synonym : group) {
                String v = layer.values.get(synonym);
                if (v != null) {
                    all.add(new ConfigView.Synonym(synonym, sensitive ? null : v, layer.source));
                }
            }
        }
        int first = 0;
        while (first < all.size() && !all.get(first).name().equals(name)) {
            first++;
        }
        return all.subList(first, all.size());
    }

    /**
     * A broker resource as DescribeConfigs reports it: for this broker's id every key the broker knows, for
     * "" (the cluster-wide default) the keys set there dynamically.
     *
     * @param names the configs wanted, null or empty for all
     * @throws InvalidRequestException for another broker's id or a name that is no id, as Kafka answers
     */
    public List<ConfigView> describe(String resource, Collection<String> names, boolean includeSynonyms) {
        boolean perBroker = !resource.isEmpty();
        if (perBroker) {
            checkBrokerId(resource);
            if (!resource.equals(nodeResource())) {
                throw new InvalidRequestException("Unexpected broker id, expected " + config.nodeId()
                        + " or empty string, but received " + resource);
            }
        }
        Collection<String> keys = perBroker ? brokerKeys() : dynamic("").keySet();
        List<ConfigView> views = new ArrayList<>();
        for (String name : new TreeSet<>(keys)) {
            if (names != null && !names.isEmpty() && !names.contains(name)) {
                continue;
            }
            List<ConfigView.Synonym> synonyms = new ArrayList<>(synonyms(name));
            if (!perBroker) {
                synonyms.removeIf(s -> s.source() != ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            }
            boolean sensitive = ConfigKeys.isSensitive(name);
            String value = sensitive ? null : perBroker ? value(name) : dynamic("").get(name);
            ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
            views.add(new ConfigView(name, value, source, !DYNAMIC.contains(name) && !isListenerTlsKey(name), sensitive,
                    sensitive ? ConfigType.PASSWORD : typeOf(name), includeSynonyms ? synonyms : List.of()));
        }
        return views;
    }

    /** Every key of this broker: those it knows, and the per-listener ones it was given. */
    private Collection<String> brokerKeys() {
        Set<String> keys = new java.util.TreeSet<>(KorvetConfig.KEYS.keySet());
        keys.addAll(DYNAMIC);
        config.settings().keySet().stream().filter(ListenerKeys::isListenerKey).forEach(keys::add);
        keys.addAll(dynamic(nodeResource()).keySet());
        return keys;
    }

    /**
     * Checks a resource's dynamic configs as they would be after an AlterConfigs, with Kafka's answers:
     * INVALID_REQUEST naming the keys that cannot change at runtime, or a value that is not valid.
     */
    public static void validateDynamic(String resource, Map<String, String> configs) {
        Set<String> notDynamic = new TreeSet<>(configs.keySet());
        notDynamic.removeAll(DYNAMIC);
        Set<String> tls = new TreeSet<>(notDynamic);
        tls.removeIf(k -> !isListenerTlsKey(k));
        notDynamic.removeAll(tls);
        if (!notDynamic.isEmpty()) {
            throw new InvalidRequestException("Cannot update these configs dynamically: " + notDynamic);
        }
        if (!tls.isEmpty() && resource.isEmpty()) {
            // As Kafka: a listener's keystore and truststore are each broker's own.
            throw new InvalidRequestException("Cannot update these configs at default cluster level, broker id must be specified: " + tls);
        }
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (tls.contains(e.getKey())) {
                continue; // checked by building the listener's TLS context (TlsReloads)
            }
            try {
                TopicConfigs.validateBrokerKey(e.getKey(), e.getValue());
            } catch (org.apache.kafka.common.errors.InvalidConfigurationException ex) {
                // Kafka answers a broker config that fails validation with INVALID_REQUEST (ConfigAdminManager, KAFKA-13609).
                throw new InvalidRequestException("Invalid value " + e.getValue() + " for configuration " + e.getKey() + ": "
                        + ex.getMessage());
            }
        }
    }

    /**
     * The {@code ssl.*} keys of a listener that change at runtime per broker, as in Kafka (a new keystore or truststore,
     * read again when set to the same file): {@code listener.name.<listener>.ssl.keystore.*} and {@code .truststore.*}.
     */
    static final Set<String> RELOADABLE_TLS = Set.of("ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password",
            "ssl.key.password", "ssl.keystore.certificate.chain", "ssl.keystore.key", "ssl.truststore.type",
            "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.certificates");

    /** Whether the key is {@code listener.name.<listener>.} followed by one of {@link #RELOADABLE_TLS}. */
    public static boolean isListenerTlsKey(String key) {
        String bare = ListenerKeys.unprefixed(key);
        return bare != null && RELOADABLE_TLS.contains(bare);
    }

    /** The configs as a log line shows them: the sensitive values (passwords, keys) hidden. */
    public static Map<String, String> redacted(Map<String, String> configs) {
        Map<String, String> out = new TreeMap<>();
        configs.forEach((k, v) -> out.put(k, ConfigKeys.isSensitive(k) ? "[hidden]" : v));
        return out;
    }

    /** A broker resource name must be empty or a node id. */
    public static void checkBrokerId(String resource) {
        if (!resource.isEmpty()) {
            try {
                Integer.parseInt(resource);
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("Broker id must be an integer, but it is: " + resource);
            }
        }
    }

    private List<Layer> layers() {
        return List.of(
                new Layer(ConfigSource.DYNAMIC_BROKER_CONFIG, dynamic(nodeResource())),
                new Layer(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, dynamic("")),
                new Layer(ConfigSource.STATIC_BROKER_CONFIG, config.settings()),
                new Layer(ConfigSource.DEFAULT_CONFIG, defaults));
    }

    private static ConfigType typeOf(String name) {
        if (LONG_KEYS.contains(name)) {
            return ConfigType.LONG;
        }
        if (INT_KEYS.contains(name)) {
            return ConfigType.INT;
        }
        String d = KorvetConfig.KEYS.getOrDefault(name, "");
        if (d.equals("true") || d.equals("false")) {
            return ConfigType.BOOLEAN;
        }
        try {
            Integer.parseInt(d);
            return ConfigType.INT;
        } catch (NumberFormatException e) {
            return ConfigType.STRING;
        }
    }

    private static Map<String, Map<String, String>> copy(Map<String, Map<String, String>> m) {
        Map<String, Map<String, String>> c = new TreeMap<>();
        m.forEach((k, v) -> c.put(k, Map.copyOf(v)));
        return java.util.Collections.unmodifiableMap(c);
    }
}
