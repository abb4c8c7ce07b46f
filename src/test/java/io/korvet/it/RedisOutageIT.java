package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped for a few seconds in the middle of an idempotent produce and started again with its
 * append-only file: the producer sees retriable errors, then succeeds, and every acknowledged record is
 * in the log exactly once with dense offsets.
 */
class RedisOutageIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void acknowledgedRecordsSurviveARedisRestartExactlyOnce() throws Exception {
        String topic = "outage";
        int partitions = 3;
        int total = 30_000;
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger acked = new AtomicInteger();
        Thread outage = new Thread(() -> {
            try {
                long deadline = System.currentTimeMillis() + 60_000;
                while (acked.get() < total / 4 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                cluster.redis().stop();
                Thread.sleep(3_000);
                cluster.redis().start();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        outage.start();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < total; i++) {
                String value = "v" + i;
                producer.send(new ProducerRecord<>(topic, i % partitions, null, value), (meta, error) -> {
                    if (error == null) {
                        acknowledged.put(value, (long) meta.partition() << 40 | meta.offset());
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                });
                if (i % 1000 == 0) {
                    Thread.sleep(20);
                }
            }
            producer.flush();
        }
        outage.join(60_000);
        assertThat(failed.get()).isZero();
        assertThat(acknowledged).hasSize(total);

        // Read every partition back: each acknowledged value exactly once, at the offset it was acknowledged with.
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                long expectedOffset = 0;
                long deadline = System.currentTimeMillis() + 60_000;
                while (expectedOffset < end && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        assertThat(r.offset()).isEqualTo(expectedOffset++);
                        seen.merge(r.value(), 1, Integer::sum);
                        assertThat(acknowledged.get(r.value())).isEqualTo((long) p << 40 | r.offset());
                    }
                }
                assertThat(expectedOffset).isEqualTo(end);
            }
        }
        assertThat(seen).hasSize(total);
        assertThat(seen.values()).allMatch(count -> count == 1);
    }
}
