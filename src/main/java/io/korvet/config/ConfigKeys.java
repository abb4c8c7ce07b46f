package io.korvet.config;

import java.util.List;

/**
 * Every key the broker accepts, with its default and what it means: the one list that the configuration,
 * {@code --describe-config} and the unknown-key messages are made from.
 */
public final class ConfigKeys {

    /** One key; an empty default means none. */
    public record Key(String name, String defaultValue, String meaning) {
    }

    public static final List<Key> ALL = List.of(
            new Key("listeners", "PLAINTEXT://localhost:9092", "the one listener (PLAINTEXT only)"),
            new Key("advertised.listeners", "", "the address clients are told to use (default: the listener, localhost for a wildcard host)"),
            new Key("node.id", "0", "this broker's id in Metadata; every broker sharing a Redis and namespace needs its own"),
            new Key("broker.rack", "", "this broker's rack, shown to clients (none by default)"),
            new Key("broker.session.timeout.ms", "9000",
                    "how long a broker counts as live after its last heartbeat; its partitions and groups then move"),
            new Key("broker.heartbeat.interval.ms", "2000", "how often a broker renews its registration in Redis"),
            new Key("replica.selector.class", "",
                    "org.apache.kafka.common.replica.RackAwareReplicaSelector sends consumers to a broker of their client.rack"
                            + " (KIP-392); none: consumers read from leaders"),
            new Key("korvet.registry.poll.ms", "100",
                    "how often a broker checks whether another changed topics, configs or leaders (one GET)"),
            new Key("num.partitions", "1", "partitions of auto-created topics and of CreateTopics without a count"),
            new Key("korvet.max.partitions.per.topic", "100000", "most partitions a topic may have"),
            new Key("auto.create.topics.enable", "true", "create unknown topics named in Metadata requests that allow it"),
            new Key("message.max.bytes", "1048588", "largest record batch accepted (topic default for max.message.bytes)"),
            new Key("socket.request.max.bytes", "104857600", "largest request frame; larger frames close the connection"),
            new Key("queued.max.request.bytes", "104857600",
                    "bytes of unanswered requests, over all connections, past which the broker stops reading (-1: no bound)"),
            new Key("min.insync.replicas", "1", "topic default: with acks=all, how many copies (Redis master and replicas) must hold a batch"),
            new Key("log.message.timestamp.type", "CreateTime", "topic default for message.timestamp.type"),
            new Key("log.retention.ms", "", "topic default for retention.ms; -1 keeps records forever"),
            new Key("log.retention.minutes", "", "used when log.retention.ms is not set"),
            new Key("log.retention.hours", "168", "used when neither log.retention.ms nor log.retention.minutes is set"),
            new Key("log.retention.bytes", "-1", "topic default for retention.bytes (per partition; -1: no limit)"),
            new Key("log.retention.check.interval.ms", "300000", "how often retention runs"),
            new Key("group.min.session.timeout.ms", "6000", "shortest session.timeout.ms a group member may ask for"),
            new Key("group.max.session.timeout.ms", "1800000", "longest session.timeout.ms a group member may ask for"),
            new Key("group.initial.rebalance.delay.ms", "3000", "how long the first rebalance of an empty group waits for more members"),
            new Key("offset.metadata.max.bytes", "4096", "largest metadata string of a committed offset"),
            new Key("korvet.redis.uri", "", "the Redis to use, redis://host:port (default: an embedded Redis of the broker's own)"),
            new Key("korvet.namespace", "korvet", "prefix of every Redis key"),
            new Key("korvet.data.dir", "korvet-data", "data directory of the embedded Redis, locked while the broker runs"),
            new Key("korvet.embedded.redis.port", "0",
                    "loopback port of the embedded Redis (0: a free port); written to <korvet.data.dir>/redis.port"),
            new Key("korvet.cluster.id", "korvet-cluster", "cluster id reported to clients"),
            new Key("korvet.redis.timeout.ms", "5000", "Redis command timeout; a produce past it gets a retriable error"),
            new Key("korvet.producer.state.scan.entries", "10000",
                    "how many tail entries of a partition are read to rebuild idempotent-producer state"),
            new Key("korvet.stream.format", "batch",
                    "stream format of new topics: batch (an entry per record batch) or record (a readable entry per record)"));

    private ConfigKeys() {
    }

    /** The keys with their defaults and meanings, one per line, as {@code --describe-config} prints them. */
    public static String describe() {
        int width = ALL.stream().mapToInt(k -> k.name().length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        for (Key k : ALL) {
            out.append(String.format("%-" + width + "s  %s%n", k.name(),
                    (k.defaultValue().isEmpty() ? "(no default)" : "default " + k.defaultValue()) + ": " + k.meaning()));
        }
        return out.toString();
    }
}
