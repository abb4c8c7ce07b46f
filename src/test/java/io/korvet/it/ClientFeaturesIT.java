package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Producer and admin features with real kafka-clients: codecs, limits, timestamps, topic creation rules. */
class ClientFeaturesIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static List<ConsumerRecord<String, String>> readAll(TopicPartition tp, int expected) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void eachCompressionCodecRoundTrips(String codec) throws Exception {
        String topic = "codec-" + codec;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 20))) {
            List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, ("value " + i + " ").repeat(20))));
            }
            for (var f : futures) {
                f.get();
            }
        }
        List<ConsumerRecord<String, String>> records = readAll(new TopicPartition(topic, 0), 500);
        assertThat(records).hasSize(500);
        for (int i = 0; i < 500; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).key()).isEqualTo("k" + i);
            assertThat(records.get(i).value()).isEqualTo(("value " + i + " ").repeat(20));
        }
    }

    @Test
    void aRecordOverTheTopicLimitFailsAndTheProducerGoesOn() throws Exception {
        String topic = "limited";
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "2000")))).all().get();
        }
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "big", "x".repeat(10_000))).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);
            RecordMetadata ok = producer.send(new ProducerRecord<>(topic, "small", "fits")).get();
            assertThat(ok.offset()).isEqualTo(0);
        }
        assertThat(readAll(new TopicPartition(topic, 0), 1)).extracting(ConsumerRecord::value).containsExactly("fits");
    }

    @Test
    void offsetsForTimesFindsTheFirstRecordAtOrAfterTheTimestamp() throws Exception {
        String topic = "timed";
        long base = 1_700_000_000_000L;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, 0, base + i * 1000L, "k", "v" + i));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, base + 41_500L));
            assertThat(found.get(tp).offset()).isEqualTo(42);
            assertThat(found.get(tp).timestamp()).isEqualTo(base + 42_000L);
            assertThat(consumer.offsetsForTimes(Map.of(tp, base)).get(tp).offset()).isEqualTo(0);
            assertThat(consumer.offsetsForTimes(Map.of(tp, base + 1_000_000L)).get(tp)).isNull();
            assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isEqualTo(0);
            assertThat(consumer.endOffsets(List.of(tp)).get(tp)).isEqualTo(100);
        }
    }

    @Test
    void logAppendTimeTopicsAreStampedByTheBroker() throws Exception {
        String topic = "appended";
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get();
        }
        long before = System.currentTimeMillis();
        RecordMetadata meta;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            meta = producer.send(new ProducerRecord<>(topic, 0, 12345L, "k", "v")).get();
        }
        assertThat(meta.timestamp()).isGreaterThanOrEqualTo(before);
        ConsumerRecord<String, String> r = readAll(new TopicPartition(topic, 0), 1).get(0);
        assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(r.timestamp()).isEqualTo(meta.timestamp());
    }

    @Test
    void createTopicsAppliesKafkasRules() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("rules", 2, (short) 1))).all().get();
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("rules", 2, (short) 1))).all().get())
                    .hasCauseInstanceOf(TopicExistsException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("zero", 0, (short) 1))).all().get())
                    .hasCauseInstanceOf(InvalidPartitionsException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("replicated", 1, (short) 3))).all().get())
                    .hasCauseInstanceOf(InvalidReplicationFactorException.class)
                    .hasMessageContaining("Redis");
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("badconfig", 1, (short) 1)
                    .configs(Map.of("retention.ms", "soon")))).all().get())
                    .hasCauseInstanceOf(InvalidConfigurationException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("unknownconfig", 1, (short) 1)
                    .configs(Map.of("no.such.config", "1")))).all().get())
                    .hasCauseInstanceOf(InvalidConfigurationException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad name!", 1, (short) 1))).all().get())
                    .hasCauseInstanceOf(InvalidTopicException.class);
            admin.createTopics(List.of(new NewTopic("validated", 4, (short) 1)),
                    new org.apache.kafka.clients.admin.CreateTopicsOptions().validateOnly(true)).all().get();
            assertThat(admin.listTopics().names().get()).contains("rules").doesNotContain("validated", "zero", "replicated");
            assertThat(admin.describeTopics(List.of("rules")).allTopicNames().get().get("rules").partitions()).hasSize(2);
            var created = admin.createTopics(List.of(new NewTopic("defaults", java.util.Optional.empty(), java.util.Optional.empty())));
            assertThat(created.numPartitions("defaults").get()).isEqualTo(1);
            assertThat(created.config("defaults").get().get("retention.ms").value()).isEqualTo("604800000");
        }
    }

    @Test
    void aFetchFromTheMiddleOfAProduceBatchStartsAtThatRecord() throws Exception {
        String topic = "middle";
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 1000))) {
            List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
            }
            producer.flush();
            for (var f : futures) {
                f.get();
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 7);
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < 3 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).extracting(ConsumerRecord::offset).containsExactly(7L, 8L, 9L);
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("v7", "v8", "v9");
    }

    @Test
    void unknownTopicsAreCreatedOnFirstUse() throws Exception {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            RecordMetadata meta = producer.send(new ProducerRecord<>("auto-created", "k", "v")).get();
            assertThat(meta.offset()).isEqualTo(0);
        }
        try (Admin admin = cluster.admin()) {
            assertThat(admin.listTopics().names().get()).contains("auto-created");
        }
    }
}
