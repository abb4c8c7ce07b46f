package io.korvet.topic;

import io.korvet.config.KorvetConfig;
import io.korvet.storage.StreamFormat;
import io.korvet.storage.TopicRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Kafka's topic-level configs: which names exist, how each is validated, its default on this broker and
 * the broker configs it falls back to (Kafka's synonyms). Korvet accepts every name Kafka accepts; the
 * ones it enforces are documented in the README.
 */
public final class TopicConfigs {

    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String COMPRESSION_TYPE = "compression.type";
    /** Korvet's own: how the topic's streams hold records, fixed at creation (see {@link StreamFormat}). */
    public static final String STREAM_FORMAT = "korvet.stream.format";

    enum Type {
        LONG(ConfigType.LONG), INT(ConfigType.INT), DOUBLE(ConfigType.DOUBLE), BOOLEAN(ConfigType.BOOLEAN),
        STRING(ConfigType.STRING), LIST(ConfigType.LIST);

        final ConfigType wire;

        Type(ConfigType wire) {
            this.wire = wire;
        }
    }

    /** A broker config that gives a topic config its default, with the factor from its unit to the topic's. */
    record BrokerSynonym(String name, long factor) {
    }

    /**
     * @param allowed the values (items, for a list) allowed; empty for any
     * @param synonyms the broker configs this one falls back to, in Kafka's order
     */
    record Def(Type type, long min, Set<String> allowed, String defaultValue, List<BrokerSynonym> synonyms) {
    }


    private static final Map<String, Def> DEFS = new LinkedHashMap<>();
    /** Each broker key that sets a topic config's default: that config's name and the factor between their units. */
    private static final Map<String, Map.Entry<String, Long>> BROKER_SYNONYMS;

    static {
        String max = Long.toString(Long.MAX_VALUE);
        long hour = 3_600_000L;
        list(CLEANUP_POLICY, "delete", "log.cleanup.policy", "delete", "compact");
        number(RETENTION_MS, Type.LONG, -1, "604800000",
                new BrokerSynonym("log.retention.ms", 1), new BrokerSynonym("log.retention.minutes", 60_000L),
                new BrokerSynonym("log.retention.hours", hour));
        number(RETENTION_BYTES, Type.LONG, -1, "-1", new BrokerSynonym("log.retention.bytes", 1));
        number(MAX_MESSAGE_BYTES, Type.INT, 0, "1048588", new BrokerSynonym("message.max.bytes", 1));
        string(MESSAGE_TIMESTAMP_TYPE, "CreateTime", "log.message.timestamp.type", "CreateTime", "LogAppendTime");
        string(STREAM_FORMAT, "batch", STREAM_FORMAT, "batch", "record");
        string(COMPRESSION_TYPE, "producer", COMPRESSION_TYPE, "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer");
        number("compression.gzip.level", Type.INT, -1, "-1", same("compression.gzip.level"));
        number("compression.lz4.level", Type.INT, 1, "9", same("compression.lz4.level"));
        number("compression.zstd.level", Type.INT, -131072, "3", same("compression.zstd.level"));
        number("delete.retention.ms", Type.LONG, 0, "86400000", same("log.cleaner.delete.retention.ms"));
        number("file.delete.delay.ms", Type.LONG, 0, "60000", same("log.segment.delete.delay.ms"));
        number("flush.messages", Type.LONG, 1, max, same("log.flush.interval.messages"));
        number("flush.ms", Type.LONG, 0, max,
                same("log.flush.interval.ms"), same("log.flush.scheduler.interval.ms"));
        list("follower.replication.throttled.replicas", "", null);
        list("leader.replication.throttled.replicas", "", null);
        number("index.interval.bytes", Type.INT, 0, "4096", same("log.index.interval.bytes"));
        number("local.retention.bytes", Type.LONG, -2, "-2", same("log.local.retention.bytes"));
        number("local.retention.ms", Type.LONG, -2, "-2", same("log.local.retention.ms"));
        number("max.compaction.lag.ms", Type.LONG, 1, max, same("log.cleaner.max.compaction.lag.ms"));
        number(TIMESTAMP_AFTER_MAX_MS, Type.LONG, 0, "3600000", same("log.message.timestamp.after.max.ms"));
        number(TIMESTAMP_BEFORE_MAX_MS, Type.LONG, 0, max, same("log.message.timestamp.before.max.ms"));
        number("min.cleanable.dirty.ratio", Type.DOUBLE, 0, "0.5", same("log.cleaner.min.cleanable.ratio"));
        number("min.compaction.lag.ms", Type.LONG, 0, "0", same("log.cleaner.min.compaction.lag.ms"));
        number(MIN_INSYNC_REPLICAS, Type.INT, 1, "1", same("min.insync.replicas"));
        bool("preallocate", "log.preallocate");
        bool("remote.storage.enable", null);
        bool("remote.log.copy.disable", null);
        bool("remote.log.delete.on.disable", null);
        number("segment.bytes", Type.INT, 1024 * 1024, "1073741824", same("log.segment.bytes"));
        number("segment.index.bytes", Type.INT, 4, "10485760", same("log.index.size.max.bytes"));
        number("segment.jitter.ms", Type.LONG, 0, "0",
                same("log.roll.jitter.ms"), new BrokerSynonym("log.roll.jitter.hours", hour));
        number("segment.ms", Type.LONG, 1, "604800000", same("log.roll.ms"), new BrokerSynonym("log.roll.hours", hour));
        bool("unclean.leader.election.enable", "unclean.leader.election.enable");
        Map<String, Map.Entry<String, Long>> synonyms = new LinkedHashMap<>();
        DEFS.forEach((name, def) -> def.synonyms.forEach(s -> synonyms.put(s.name, Map.entry(name, s.factor))));
        BROKER_SYNONYMS = java.util.Collections.unmodifiableMap(synonyms);
    }

    private TopicConfigs() {
    }

    /** Every topic config Kafka has, by name, in definition order. */
    static Map<String, Def> defs() {
        return java.util.Collections.unmodifiableMap(DEFS);
    }

    /** Whether Kafka knows this topic config. */
    public static boolean exists(String name) {
        return DEFS.containsKey(name);
    }

    /** Whether the config is a list (IncrementalAlterConfigs may APPEND to it and SUBTRACT from it). */
    public static boolean isList(String name) {
        Def def = DEFS.get(name);
        return def != null && def.type == Type.LIST;
    }

    /**
     * Each broker key that sets a topic config's default ({@code log.cleanup.policy} for {@code cleanup.policy}), with
     * that config's name and the factor from the broker key's unit to the config's ({@code log.roll.hours}: 3600000).
     */
    static Map<String, Map.Entry<String, Long>> brokerSynonyms() {
        return BROKER_SYNONYMS;
    }

    /**
     * Checks the value of a broker key that sets a topic default as the topic config would be checked; keys in other
     * units ({@code log.retention.hours}, {@code log.roll.hours} ...) as whole numbers from the topic config's minimum
     * (-1 for retention, 1 for a segment's age, 0 for its jitter, as in Kafka) to {@code Integer.MAX_VALUE}.
     *
     * @throws InvalidConfigurationException naming the key
     */
    static void validateBrokerKey(String key, String value) {
        Map.Entry<String, Long> topic = BROKER_SYNONYMS.get(key);
        try {
            if (topic.getValue() == 1) {
                validate(topic.getKey(), value);
                return;
            }
            long min = DEFS.get(topic.getKey()).min;
            long v = Long.parseLong(value.trim());
            if (v < min || v > Integer.MAX_VALUE) {
                throw invalid(key, value.trim(), "must be between " + min + " and " + Integer.MAX_VALUE);
            }
        } catch (NumberFormatException e) {
            throw invalid(key, value.trim(), "not a number");
        } catch (InvalidConfigurationException e) {
            throw new InvalidConfigurationException(key + " (the default of the topic config " + topic.getKey() + "): " + e.getMessage());
        }
    }

    /** Configs as they are stored: values without surrounding blanks (Kafka ignores them when parsing). */
    public static Map<String, String> normalize(Map<String, String> configs) {
        Map<String, String> normalized = new LinkedHashMap<>();
        configs.forEach((k, v) -> normalized.put(k, v == null ? null : v.trim()));
        return normalized;
    }

    /** Validates configs given at creation or alteration; throws INVALID_CONFIG naming the offender. */
    public static void validate(Map<String, String> configs) {
        for (Map.Entry<String, String> e : configs.entrySet()) {
            validate(e.getKey(), e.getValue());
        }
    }

    static void validate(String name, String value) {
        Def def = DEFS.get(name);
        if (def == null) {
            throw new InvalidConfigurationException("Unknown topic config name: " + name);
        }
        if (value == null) {
            throw new InvalidConfigurationException("Null value not supported for topic config " + name);
        }
        String v = value.trim();
        if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            throw invalid(name, v, "line breaks are not allowed");
        }
        try {
            switch (def.type) {
                case LONG -> check(name, v, Long.parseLong(v), def.min);
                case INT -> check(name, v, Integer.parseInt(v), def.min);
                case DOUBLE -> {
                    double d = Double.parseDouble(v);
                    if (d < def.min || d > 1) {
                        throw invalid(name, v, "must be between " + def.min + " and 1");
                    }
                }
                case BOOLEAN -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        throw invalid(name, v, "expected true or false");
                    }
                }
                case STRING -> {
                    if (!def.allowed.isEmpty() && !def.allowed.contains(v)) {
                        throw invalid(name, v, "must be one of " + def.allowed);
                    }
                }
                case LIST -> {
                    for (String item : items(v)) {
                        if (!def.allowed.isEmpty() && !def.allowed.contains(item)) {
                            throw invalid(name, v, "each item must be one of " + def.allowed);
                        }
                    }
                }
            }
        } catch (NumberFormatException e) {
            throw invalid(name, v, "not a number");
        }
    }

    /** The items of a list value, as Kafka splits them (on commas, blanks dropped). */
    public static List<String> items(String value) {
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.trim().isEmpty()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    /** The value in force for a topic: its own setting, else the broker's default. */
    public static String effective(Map<String, String> topicConfigs, String name, KorvetConfig broker) {
        return effective(topicConfigs, name, new BrokerConfigs(broker));
    }

    /** The value in force for a topic: its own setting, else its broker synonyms', else Kafka's default. */
    public static String effective(Map<String, String> topicConfigs, String name, BrokerConfigs broker) {
        String v = topicConfigs.get(name);
        if (v != null) {
            return v;
        }
        Def def = DEFS.get(name);
        if (def == null) {
            return null;
        }
        if (name.equals(RETENTION_MS)) {
            return Long.toString(broker.retentionMs());
        }
        for (BrokerSynonym s : def.synonyms) {
            String brokerValue = broker.value(s.name);
            if (brokerValue != null) {
                return s.factor == 1 ? brokerValue : Long.toString(Long.parseLong(brokerValue.trim()) * s.factor);
            }
        }
        return def.defaultValue;
    }

    /** Whether the topic's cleanup policy includes {@code delete}: retention and DeleteRecords apply to it. */
    public static boolean deletesRecords(Map<String, String> topicConfigs, BrokerConfigs broker) {
        return items(effective(topicConfigs, CLEANUP_POLICY, broker)).contains("delete");
    }

    /** Whether the topic's cleanup policy includes {@code compact}: the log cleaner keeps the latest record of each key. */
    public static boolean compactsRecords(Map<String, String> topicConfigs, BrokerConfigs broker) {
        return items(effective(topicConfigs, CLEANUP_POLICY, broker)).contains("compact");
    }

    /**
     * Refuses a change of configs that would change the topic's stream format: its streams were written in it.
     * Setting it to the format the topic has, or removing it, changes nothing and is allowed.
     */
    public static void checkFormatUnchanged(TopicRecord topic, Map<String, String> newConfigs) {
        String wanted = newConfigs.get(STREAM_FORMAT);
        if (wanted != null && StreamFormat.parse(wanted) != topic.format()) {
            throw new InvalidConfigurationException("Invalid value " + wanted + " for configuration " + STREAM_FORMAT
                    + ": the stream format of a topic is fixed when it is created (topic " + topic.name() + " is "
                    + topic.format().configValue() + "); create a new topic to use another format");
        }
    }

    private static void check(String name, String raw, long value, long min) {
        if (value < min) {
            throw invalid(name, raw, "must be at least " + min);
        }
    }

    private static InvalidConfigurationException invalid(String name, String value, String why) {
        return new InvalidConfigurationException("Invalid value " + value + " for configuration " + name + ": " + why);
    }

    private static BrokerSynonym same(String brokerName) {
        return new BrokerSynonym(brokerName, 1);
    }

    private static void number(String name, Type type, long min, String defaultValue, BrokerSynonym... synonyms) {
        DEFS.put(name, new Def(type, min, Set.of(), defaultValue, List.of(synonyms)));
    }

    private static void string(String name, String defaultValue, String brokerName, String... allowed) {
        DEFS.put(name, new Def(Type.STRING, 0, Set.of(allowed), defaultValue, List.of(same(brokerName))));
    }

    private static void list(String name, String defaultValue, String brokerName, String... allowed) {
        DEFS.put(name, new Def(Type.LIST, 0, Set.of(allowed), defaultValue,
                brokerName == null ? List.of() : List.of(same(brokerName))));
    }

    private static void bool(String name, String brokerName) {
        DEFS.put(name, new Def(Type.BOOLEAN, 0, Set.of(), "false", brokerName == null ? List.of() : List.of(same(brokerName))));
    }
}
