package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams state store restored from its changelog after the log cleaner compacted it: a fresh instance (empty
 * state directory) rebuilds exactly the store the first one had.
 */
class CompactedChangelogIT {

    @TempDir
    static Path dir;

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("log.cleaner.backoff.ms", "200", "group.initial.rebalance.delay.ms", "0"));
        cluster.createTopic("updates", 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static KafkaStreams app(String stateDir) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("updates", org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .reduce((older, newer) -> newer, Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("latest")
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.String())
                        .withLoggingEnabled(Map.of("segment.ms", "200", "min.cleanable.dirty.ratio", "0.01")));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "compacting-app");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(stateDir).toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        // Streams' consumers do not leave the group on close: the second instance waits for the first one's session
        // to end, 6 s (the broker's minimum) rather than Streams' 45 s.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
        KafkaStreams streams = new KafkaStreams(builder.build(), p);
        streams.start();
        return streams;
    }

    static Map<String, String> contents(KafkaStreams streams) {
        ReadOnlyKeyValueStore<String, String> store =
                streams.store(StoreQueryParameters.fromNameAndType("latest", QueryableStoreTypes.keyValueStore()));
        Map<String, String> out = new HashMap<>();
        try (KeyValueIterator<String, String> all = store.all()) {
            all.forEachRemaining((KeyValue<String, String> kv) -> out.put(kv.key, kv.value));
        }
        return out;
    }

    /** The records of the changelog's partition 0, read from offset 0 to its end. */
    static int changelogRecords() throws Exception {
        TopicPartition tp = new TopicPartition("compacting-app-latest-changelog", 0);
        long end = cluster.sharedAdmin().listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.bytesConsumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            return AdminTestSupport.readFromStart(consumer, tp, end).size();
        }
    }

    @Test
    void aStoreRestoredFromItsCompactedChangelogHasTheRightContents() throws Exception {
        Map<String, String> expected = new HashMap<>();
        KafkaStreams first = app("first");
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 2000; i++) {
                String key = "user-" + (i % 20);
                producer.send(new ProducerRecord<>("updates", 0, key, "v" + i));
                expected.put(key, "v" + i);
            }
        }
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(contents(first)).isEqualTo(expected));
        } finally {
            first.close(Duration.ofSeconds(30));
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(changelogRecords()).isLessThanOrEqualTo(40));

        KafkaStreams second = app("second");
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(contents(second)).isEqualTo(expected));
        } finally {
            second.close(Duration.ofSeconds(30));
        }
    }
}
