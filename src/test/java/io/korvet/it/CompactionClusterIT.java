package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log cleaner over a real Redis Cluster of three masters: every step of a compaction (the copy into the
 * companion key, the swap, the checkpoint) runs on the stream's own slot, whichever master holds it.
 */
class CompactionClusterIT {

    @TempDir
    static Path dir;

    static RedisClusterFixture redis;
    static KorvetCluster korvet;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisClusterFixture.start(dir.resolve("redis"), 3);
        korvet = KorvetCluster.start(Map.of("korvet.redis.uri", redis.uri(), "log.cleaner.backoff.ms", "200"));
        admin = korvet.admin();
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (korvet != null) {
            korvet.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void partitionsOnEveryMasterAreCompacted() throws Exception {
        int partitions = 6;
        admin.createTopics(List.of(new NewTopic("changelog", partitions, (short) 1).configs(Map.of("cleanup.policy", "compact",
                "segment.ms", "300", "min.cleanable.dirty.ratio", "0.01")))).all().get();
        Map<Integer, Map<String, String>> latest = new HashMap<>();
        try (KafkaProducer<String, String> producer = korvet.producer(Map.of("linger.ms", "5"))) {
            for (int i = 0; i < 6000; i++) {
                int p = i % partitions;
                String key = "k" + (i / partitions) % 10;
                String value = "v" + i;
                producer.send(new ProducerRecord<>("changelog", p, key, value));
                latest.computeIfAbsent(p, x -> new HashMap<>()).put(key, value);
            }
            producer.flush();
        }
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(readAll(partition).size()).isLessThanOrEqualTo(20));
            Map<String, String> map = new HashMap<>();
            readAll(p).forEach(r -> map.put(r.key(), r.value()));
            assertThat(map).isEqualTo(latest.get(p));
        }
    }

    static List<ConsumerRecord<String, String>> readAll(int partition) throws Exception {
        TopicPartition tp = new TopicPartition("changelog", partition);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        try (KafkaConsumer<String, String> consumer = korvet.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            return AdminTestSupport.readFromStart(consumer, tp, end);
        }
    }
}
