package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/** A broker restarted on the same Redis finds its topics and records again and continues at the next offset. */
class RestartIT {

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
    void topicsAndRecordsSurviveABrokerRestart() throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("durable", 2, (short) 1)
                    .configs(Map.of("retention.ms", "3600000")))).all().get();
        }
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("durable", i % 2, "k" + i, "before-" + i));
            }
            producer.flush();
        }

        cluster.stopBroker();
        cluster.startBroker();

        try (Admin admin = cluster.admin()) {
            assertThat(admin.listTopics().names().get()).contains("durable");
            var description = admin.describeTopics(List.of("durable")).allTopicNames().get().get("durable");
            assertThat(description.partitions()).hasSize(2);
        }
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("durable", 0, "k", "after-0")).get().offset()).isEqualTo(50);
            assertThat(producer.send(new ProducerRecord<>("durable", 1, "k", "after-1")).get().offset()).isEqualTo(50);
        }
        TopicPartition p0 = new TopicPartition("durable", 0);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(p0));
            consumer.seekToBeginning(List.of(p0));
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < 51 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).hasSize(51);
        for (int i = 0; i < 50; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).value()).isEqualTo("before-" + (2 * i));
        }
        assertThat(records.get(50).value()).isEqualTo("after-0");
    }
}
