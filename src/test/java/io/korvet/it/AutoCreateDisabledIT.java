package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With auto.create.topics.enable=false, unknown topics stay unknown until created. */
class AutoCreateDisabledIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("auto.create.topics.enable", "false", "num.partitions", "4"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void producingToAnUnknownTopicFailsAndCreatesNothing() throws Exception {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("nobody", "k", "v")).get())
                    .hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("not present in metadata");
        }
        try (Admin admin = cluster.admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain("nobody");
            admin.createTopics(List.of(new NewTopic("somebody", java.util.Optional.empty(), java.util.Optional.empty()))).all().get();
            assertThat(admin.describeTopics(List.of("somebody")).allTopicNames().get().get("somebody").partitions()).hasSize(4);
        }
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("somebody", 3, "k", "v")).get().offset()).isEqualTo(0);
        }
    }
}
