package io.korvet.topic;

import io.korvet.config.KorvetConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * Kafka's topic-level configs: which names exist, how each is validated, and its default on this broker.
 * Korvet accepts every name Kafka accepts; the ones it enforces are documented in the README.
 */
public final class TopicConfigs {

    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";

    private enum Type { LONG, INT, DOUBLE, BOOLEAN, STRING, LIST }

    private record Def(Type type, long min, Set<String> allowed, String defaultValue) {
    }

    /** A config as reported to clients: its value and whether it was set on the topic or is a default. */
    public record Entry(String name, String value, boolean setOnTopic) {
    }

    private static final Map<String, Def> DEFS = new LinkedHashMap<>();

    static {
        String max = Long.toString(Long.MAX_VALUE);
        list(CLEANUP_POLICY, "delete", "delete", "compact");
        number(RETENTION_MS, Type.LONG, -1, "604800000");
        number(RETENTION_BYTES, Type.LONG, -1, "-1");
        number(MAX_MESSAGE_BYTES, Type.INT, 0, null);
        string(MESSAGE_TIMESTAMP_TYPE, null, "CreateTime", "LogAppendTime");
        string("compression.type", "producer", "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer");
        number("compression.gzip.level", Type.INT, -1, "-1");
        number("compression.lz4.level", Type.INT, 1, "9");
        number("compression.zstd.level", Type.INT, -131072, "3");
        number("delete.retention.ms", Type.LONG, 0, "86400000");
        number("file.delete.delay.ms", Type.LONG, 0, "60000");
        number("flush.messages", Type.LONG, 1, max);
        number("flush.ms", Type.LONG, 0, max);
        string("follower.replication.throttled.replicas", "");
        string("leader.replication.throttled.replicas", "");
        number("index.interval.bytes", Type.INT, 0, "4096");
        number("local.retention.bytes", Type.LONG, -2, "-2");
        number("local.retention.ms", Type.LONG, -2, "-2");
        number("max.compaction.lag.ms", Type.LONG, 1, max);
        number("message.timestamp.after.max.ms", Type.LONG, 0, "3600000");
        number("message.timestamp.before.max.ms", Type.LONG, 0, max);
        number("min.cleanable.dirty.ratio", Type.DOUBLE, 0, "0.5");
        number("min.compaction.lag.ms", Type.LONG, 0, "0");
        number("min.insync.replicas", Type.INT, 1, "1");
        bool("preallocate");
        bool("remote.storage.enable");
        bool("remote.log.copy.disable");
        bool("remote.log.delete.on.disable");
        number("segment.bytes", Type.INT, 1024 * 1024, "1073741824");
        number("segment.index.bytes", Type.INT, 4, "10485760");
        number("segment.jitter.ms", Type.LONG, 0, "0");
        number("segment.ms", Type.LONG, 1, "604800000");
        bool("unclean.leader.election.enable");
    }

    private TopicConfigs() {
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
                    for (String item : List.of(v.split("\\s*,\\s*"))) {
                        if (!def.allowed.contains(item)) {
                            throw invalid(name, v, "each item must be one of " + def.allowed);
                        }
                    }
                }
            }
        } catch (NumberFormatException e) {
            throw invalid(name, v, "not a number");
        }
    }

    /** The value in force for a topic: its own setting, else the broker's default. */
    public static String effective(Map<String, String> topicConfigs, String name, KorvetConfig broker) {
        String v = topicConfigs.get(name);
        if (v != null) {
            return v;
        }
        return switch (name) {
            case MAX_MESSAGE_BYTES -> Integer.toString(broker.messageMaxBytes());
            case MESSAGE_TIMESTAMP_TYPE -> broker.logMessageTimestampType();
            default -> DEFS.containsKey(name) ? DEFS.get(name).defaultValue : null;
        };
    }

    /** Every topic config with the value in force, in Kafka's names. */
    public static List<Entry> describe(Map<String, String> topicConfigs, KorvetConfig broker) {
        List<Entry> entries = new java.util.ArrayList<>();
        for (String name : new java.util.TreeSet<>(DEFS.keySet())) {
            entries.add(new Entry(name, effective(topicConfigs, name, broker), topicConfigs.containsKey(name)));
        }
        return entries;
    }

    private static void check(String name, String raw, long value, long min) {
        if (value < min) {
            throw invalid(name, raw, "must be at least " + min);
        }
    }

    private static InvalidConfigurationException invalid(String name, String value, String why) {
        return new InvalidConfigurationException("Invalid value " + value + " for configuration " + name + ": " + why);
    }

    private static void number(String name, Type type, long min, String defaultValue) {
        DEFS.put(name, new Def(type, min, Set.of(), defaultValue));
    }

    private static void string(String name, String defaultValue, String... allowed) {
        DEFS.put(name, new Def(Type.STRING, 0, Set.of(allowed), defaultValue));
    }

    private static void list(String name, String defaultValue, String... allowed) {
        DEFS.put(name, new Def(Type.LIST, 0, Set.of(allowed), defaultValue));
    }

    private static void bool(String name) {
        DEFS.put(name, new Def(Type.BOOLEAN, 0, Set.of(), "false"));
    }
}
