package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retention enforced in the background (checked every 200 ms here): by time, by size, from the broker's
 * dynamic default, never on compacted topics; consumers positioned before the new log start are reset or
 * fail as {@code auto.offset.reset} says.
 */
class RetentionIT {

    static final long HOUR = 3_600_000L;

    static AdminTestSupport support;
    static KorvetCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        support = AdminTestSupport.start(Map.of("log.retention.check.interval.ms", "200"));
        cluster = support.cluster;
        admin = support.admin;
    }

    @AfterAll
    static void stop() {
        support.close();
    }

    static long xlen(String topic) {
        return RedisProbe.records(support.redis(), support.streamKey(topic, 0));
    }

    static long earliest(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
    }

    static long latest(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }

    /**
     * Sends records to partition 0 with the given timestamps, in order, one batch each: retention removes whole
     * batches in the batch format (as Kafka removes whole segments), so each record is its own unit here.
     */
    static void produceAt(String topic, long... timestamps) throws Exception {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < timestamps.length; i++) {
                producer.send(new ProducerRecord<>(topic, 0, timestamps[i], "k" + i, "v" + i)).get();
            }
        }
    }

    @Test
    void recordsOlderThanRetentionMsAreTrimmedAndConsumersBeforeTheStartReset() throws Exception {
        admin.createTopics(List.of(new NewTopic("aging", 1, (short) 1).configs(Map.of("retention.ms", Long.toString(HOUR))))).all().get();
        long now = System.currentTimeMillis();
        long old = now - 2 * HOUR;
        // Five expired records, a fresh one, then two more expired: the fresh one keeps everything after it.
        produceAt("aging", old, old, old, old, old, now, old, old);
        TopicPartition tp = new TopicPartition("aging", 0);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(earliest(tp)).isEqualTo(5));
        assertThat(latest(tp)).isEqualTo(8);
        assertThat(xlen("aging")).isEqualTo(3);

        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            List<ConsumerRecord<String, String>> records = AdminTestSupport.poll(consumer, 3);
            assertThat(records).extracting(ConsumerRecord::offset).containsExactly(5L, 6L, 7L);
        }
        try (KafkaConsumer<String, String> strict = cluster.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            strict.assign(List.of(tp));
            strict.seek(tp, 1);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    strict.poll(Duration.ofMillis(100));
                }
            }).isInstanceOfSatisfying(OffsetOutOfRangeException.class,
                    e -> assertThat(e.offsetOutOfRangePartitions()).containsEntry(tp, 1L));
        }
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("aging", 0, "k", "next")).get().offset()).isEqualTo(8);
        }
    }

    @Test
    void partitionsOverRetentionBytesLoseTheirOldestRecords() throws Exception {
        admin.createTopics(List.of(new NewTopic("bulky", 1, (short) 1)
                .configs(Map.of("retention.bytes", "150000", "retention.ms", "-1")))).all().get();
        String value = "x".repeat(1000);
        // One record per batch (batch.size below a record's size), over 300 KB in all. Retention by size removes
        // whole stream nodes (at most 100 entries or 128 KiB each), as Kafka removes whole segments, and keeps the
        // one holding the cut, as Kafka never deletes a segment whose removal would leave the log under the limit.
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of("batch.size", "1"))) {
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>("bulky", 0, "k" + i, value));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition("bulky", 0);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(earliest(tp)).isPositive());
        Thread.sleep(1000);
        long earliest = earliest(tp);
        // 150 KB of 1 KB records is about the last 140: the cut is near offset 160, in the node that stays.
        assertThat(earliest).isLessThanOrEqualTo(160);
        assertThat(latest(tp)).isEqualTo(300);
        assertThat(xlen("bulky")).isEqualTo(300 - earliest);
        assertThat(support.redis().memoryUsage(support.streamKey("bulky", 0))).isGreaterThanOrEqualTo(140_000);
        Thread.sleep(1000);
        assertThat(earliest(tp)).as("once near the limit, nothing more goes").isEqualTo(earliest);
    }

    @Test
    void theBrokersDynamicDefaultAppliesToTopicsWithoutTheirOwnAndCompactedTopicsAreLeftAlone() throws Exception {
        admin.createTopics(List.of(new NewTopic("defaulted", 1, (short) 1),
                new NewTopic("kept", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        long old = System.currentTimeMillis() - 2 * HOUR;
        produceAt("defaulted", old, old, old);
        produceAt("kept", old, old, old);
        TopicPartition defaulted = new TopicPartition("defaulted", 0);
        Thread.sleep(600);
        assertThat(earliest(defaulted)).as("a week's retention keeps records two hours old").isZero();

        ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        admin.incrementalAlterConfigs(Map.of(clusterDefault,
                List.of(new AlterConfigOp(new ConfigEntry("log.retention.ms", Long.toString(HOUR)), AlterConfigOp.OpType.SET)))).all().get();
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(earliest(defaulted)).isEqualTo(3));
            assertThat(xlen("defaulted")).isZero();
            assertThat(earliest(new TopicPartition("kept", 0))).isZero();
            assertThat(xlen("kept")).isEqualTo(3);
        } finally {
            admin.incrementalAlterConfigs(Map.of(clusterDefault,
                    List.of(new AlterConfigOp(new ConfigEntry("log.retention.ms", null), AlterConfigOp.OpType.DELETE)))).all().get();
        }
    }
}
