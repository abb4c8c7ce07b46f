package io.korvet.topic;

import io.korvet.config.ConfigException;
import io.korvet.config.KorvetConfig;
import io.korvet.config.ListenerKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * What the broker makes of the keys of an operator's Kafka {@code server.properties} that are not among Korvet's own
 * ({@link io.korvet.config.ConfigKeys}), so that such a file starts Korvet as it starts Kafka:
 * <ul>
 * <li>the broker keys that set topic defaults ({@code compression.type}, {@code log.cleanup.policy},
 *     {@code log.message.timestamp.after.max.ms} ...) take effect, their values checked as the topic configs';</li>
 * <li>Kafka's keys for what Korvet does not have (log directories, the controller quorum, replica fetchers, internal
 *     topics, request handler threads) are accepted, and the start-up log says why they change nothing;</li>
 * <li>any other key is ignored with a warning, as Kafka warns of a key it does not know.</li>
 * </ul>
 */
public final class KafkaBrokerKeys {

    private static final String QUORUM = "Korvet's brokers agree through Redis, with no controller quorum";
    private static final String STORAGE = "records live in Redis (the embedded one keeps its files in korvet.data.dir and"
            + " writes them with appendfsync everysec)";
    private static final String REPLICAS = "copies of records are the Redis master's replicas (min.insync.replicas counts them)";
    private static final String INTERNAL_TOPICS = "committed offsets, transactions and share-group state live in Redis, not"
            + " in internal topics";
    private static final String THREADS = "Korvet's network threads read, handle and answer requests, as Kafka's network and"
            + " I/O threads together; their number is korvet.network.threads (two per core by default)";

    /** Kafka broker keys with no effect on Korvet, each with the reason. */
    static final Map<String, String> WITHOUT_EFFECT = withoutEffect();

    /** What was made of the keys: topic defaults in force, keys without effect (with why), unknown keys. */
    public record Review(List<String> topicDefaults, Map<String, String> withoutEffect, List<String> unknown) {

        /** The start-up log's lines: information for the first two kinds, warnings for unknown keys. */
        public List<String> infoLines() {
            List<String> lines = new ArrayList<>();
            if (!topicDefaults.isEmpty()) {
                lines.add("Topic defaults set by broker keys: " + topicDefaults);
            }
            Map<String, List<String>> byReason = new LinkedHashMap<>();
            withoutEffect.forEach((key, why) -> byReason.computeIfAbsent(why, w -> new ArrayList<>()).add(key));
            byReason.forEach((why, keys) -> lines.add("Settings with no effect on Korvet " + keys + ": " + why));
            return lines;
        }

        public List<String> warningLines() {
            return unknown.stream().map(k -> "The configuration '" + k + "' was supplied but isn't a known config; it is ignored"
                    + " (java -jar korvet.jar --describe-config lists Korvet's)").toList();
        }
    }

    private KafkaBrokerKeys() {
    }

    /** Kafka's keys Korvet recognises beside its own: the topic defaults and the keys with no effect. */
    public static java.util.Set<String> recognized() {
        java.util.Set<String> keys = new java.util.TreeSet<>(TopicConfigs.brokerSynonyms().keySet());
        keys.addAll(WITHOUT_EFFECT.keySet());
        return keys;
    }

    /**
     * Sorts the keys set that are not Korvet's own.
     *
     * @throws ConfigException for a topic-default key whose value the topic config would refuse
     */
    public static Review review(KorvetConfig config) {
        Map<String, Map.Entry<String, Long>> synonyms = TopicConfigs.brokerSynonyms();
        List<String> defaults = new ArrayList<>();
        Map<String, String> withoutEffect = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(config.settings()).entrySet()) {
            String key = e.getKey();
            if (KorvetConfig.KEYS.containsKey(key) || ListenerKeys.isListenerKey(key)) {
                continue;
            }
            Map.Entry<String, Long> topic = synonyms.get(key);
            if (topic != null) {
                check(key, e.getValue());
                defaults.add(key + "=" + e.getValue().trim());
            } else if (WITHOUT_EFFECT.containsKey(key)) {
                withoutEffect.put(key, WITHOUT_EFFECT.get(key));
            } else {
                unknown.add(key);
            }
        }
        return new Review(List.copyOf(defaults), withoutEffect, List.copyOf(unknown));
    }

    private static void check(String key, String value) {
        try {
            TopicConfigs.validateBrokerKey(key, value);
        } catch (InvalidConfigurationException ex) {
            throw new ConfigException(ex.getMessage());
        }
    }

    private static Map<String, String> withoutEffect() {
        Map<String, String> m = new TreeMap<>();
        for (String k : List.of("process.roles", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
                "controller.quorum.election.timeout.ms", "controller.quorum.fetch.timeout.ms",
                "controller.quorum.election.backoff.max.ms", "controller.quorum.append.linger.ms",
                "controller.quorum.request.timeout.ms", "controller.quorum.retry.backoff.ms", "metadata.log.dir",
                "metadata.log.segment.bytes", "metadata.log.segment.ms", "metadata.max.retention.bytes",
                "metadata.max.retention.ms", "metadata.log.max.record.bytes.between.snapshots", "zookeeper.connect",
                "zookeeper.connection.timeout.ms", "zookeeper.session.timeout.ms", "inter.broker.protocol.version",
                "broker.id.generation.enable", "initial.broker.registration.timeout.ms", "early.start.listeners",
                "controlled.shutdown.enable")) {
            m.put(k, QUORUM);
        }
        for (String k : List.of("num.recovery.threads.per.data.dir", "log.flush.offset.checkpoint.interval.ms",
                "log.flush.start.offset.checkpoint.interval.ms", "log.dir.failure.timeout.ms",
                "log.initial.task.delay.ms", "log.cleaner.io.max.bytes.per.second", "log.cleaner.io.buffer.size")) {
            m.put(k, STORAGE);
        }
        for (String k : List.of("default.replication.factor", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
                "share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr", "num.replica.fetchers",
                "replica.lag.time.max.ms", "replica.fetch.max.bytes", "replica.fetch.min.bytes", "replica.fetch.wait.max.ms",
                "replica.fetch.backoff.ms", "replica.fetch.response.max.bytes", "replica.socket.timeout.ms",
                "replica.socket.receive.buffer.bytes", "replica.high.watermark.checkpoint.interval.ms",
                "auto.leader.rebalance.enable", "leader.imbalance.check.interval.seconds",
                "leader.imbalance.per.broker.percentage")) {
            m.put(k, REPLICAS);
        }
        for (String k : List.of("offsets.topic.num.partitions", "offsets.topic.segment.bytes", "offsets.load.buffer.size",
                "offsets.topic.compression.codec", "transaction.state.log.num.partitions", "transaction.state.log.segment.bytes",
                "share.coordinator.state.topic.num.partitions", "share.coordinator.state.topic.segment.bytes")) {
            m.put(k, INTERNAL_TOPICS);
        }
        for (String k : List.of("num.network.threads", "num.io.threads", "background.threads", "queued.max.requests")) {
            m.put(k, THREADS);
        }
        m.put("delete.topic.enable", "topics can always be deleted, as in Kafka 4");
        return Map.copyOf(m);
    }
}
