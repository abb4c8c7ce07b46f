package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions over two brokers: the transaction's partitions are led by both, its coordinator is one of them, so
 * the markers of the other broker's partitions travel through Redis to their leader. Commits and aborts are seen
 * by read_committed consumers of either broker as on one broker.
 */
class TransactionsMultiBrokerIT {

    @TempDir
    static Path dir;

    static BrokerFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = BrokerFleet.start(dir, "txmulti", 2);
        fleet.awaitEachSeesAll();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void markersReachThePartitionsOfEveryBroker() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("spread-txn", 6, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties p = Clients.producer(fleet.bootstrap(1), StringSerializer.class);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "spread");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            for (int round = 0; round < 6; round++) {
                producer.beginTransaction();
                for (int partition = 0; partition < 6; partition++) {
                    producer.send(new ProducerRecord<>("spread-txn", partition, "k", (round % 2 == 0 ? "kept-" : "dropped-")
                            + round + "-" + partition));
                }
                if (round % 2 == 0) {
                    producer.commitTransaction();
                } else {
                    // Written first, so that the abort has records to drop on every partition.
                    producer.flush();
                    producer.abortTransaction();
                }
            }
        }
        for (int node = 1; node <= 2; node++) {
            List<String> read = readCommitted(fleet.bootstrap(node));
            assertThat(read).as("read_committed through broker " + node).hasSize(18).allMatch(v -> v.startsWith("kept-"));
        }
    }

    private static List<String> readCommitted(String bootstrap) {
        Properties c = Clients.readingFromTheStart(bootstrap, StringDeserializer.class);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                parts.add(new TopicPartition("spread-txn", i));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int idle = 0;
            while (System.nanoTime() < deadline && (out.size() < 18 || idle < 3)) {
                var records = consumer.poll(Duration.ofMillis(300));
                idle = records.isEmpty() ? idle + 1 : 0;
                records.forEach(r -> out.add(r.value()));
            }
            // Every partition's end: 6 records and 6 markers, the last stable offset at the end.
            consumer.endOffsets(parts).values().forEach(end -> assertThat(end).isEqualTo(12L));
        }
        return out;
    }
}
