package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transactions with kafka-clients' transactional producer and read_committed consumers, over a real broker and
 * redis-server: commit and abort across topics and partitions, what each isolation level reads, the last stable
 * offset holding back an open transaction, a consume-transform-produce loop with sendOffsetsToTransaction, zombie
 * fencing, the broker's transaction timeout, and Kafka's kafka-transactions.sh.
 */
class TransactionsIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "300"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static KafkaProducer<String, String> transactional(String id, Map<String, Object> more) {
        Map<String, Object> p = new HashMap<>(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id));
        p.putAll(more);
        KafkaProducer<String, String> producer = cluster.producer(p);
        producer.initTransactions();
        return producer;
    }

    private static KafkaConsumer<String, String> reader(IsolationLevel isolation) {
        return cluster.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString()));
    }

    /** Everything the consumer reads from the topics' partitions until nothing comes for a while. */
    private static List<String> readAll(IsolationLevel isolation, List<TopicPartition> partitions, int expectAtLeast) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = reader(isolation)) {
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int idle = 0;
            while (System.nanoTime() < deadline && (out.size() < expectAtLeast || idle < 3)) {
                var records = c.poll(Duration.ofMillis(300));
                idle = records.isEmpty() ? idle + 1 : 0;
                records.forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    private static List<TopicPartition> partitions(String topic, int count) {
        List<TopicPartition> out = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            out.add(new TopicPartition(topic, p));
        }
        return out;
    }

    @Test
    void committedRecordsAreReadAndAbortedOnesOnlyByReadUncommitted() throws Exception {
        cluster.createTopic("txn-a", 2);
        cluster.createTopic("txn-b", 2);
        try (KafkaProducer<String, String> p = transactional("tx-commit-abort", Map.of())) {
            p.beginTransaction();
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("txn-a", i % 2, "k", "committed-a-" + i));
                p.send(new ProducerRecord<>("txn-b", i % 2, "k", "committed-b-" + i));
            }
            p.commitTransaction();
            p.beginTransaction();
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>("txn-a", i % 2, "k", "aborted-a-" + i));
                p.send(new ProducerRecord<>("txn-b", i % 2, "k", "aborted-b-" + i));
            }
            p.flush();
            p.abortTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("txn-a", 0, "k", "committed-a-last"));
            p.commitTransaction();
        }
        List<TopicPartition> all = new ArrayList<>(partitions("txn-a", 2));
        all.addAll(partitions("txn-b", 2));
        List<String> committed = readAll(IsolationLevel.READ_COMMITTED, all, 21);
        assertThat(committed).hasSize(21).allMatch(v -> v.startsWith("committed-")).contains("committed-a-last");
        List<String> uncommitted = readAll(IsolationLevel.READ_UNCOMMITTED, all, 31);
        // Every record, aborted ones included, and never a marker.
        assertThat(uncommitted).hasSize(31).filteredOn(v -> v.startsWith("aborted-")).hasSize(10);
        // Offsets: 10 + 5 records and 3 markers in txn-a-0/1 together with the last; end offsets count the markers.
        try (KafkaConsumer<String, String> c = reader(IsolationLevel.READ_COMMITTED)) {
            Map<TopicPartition, Long> ends = c.endOffsets(partitions("txn-a", 2));
            // txn-a-0: 5 committed, marker, 3 aborted, marker, 1 committed, marker = 12.
            assertThat(ends.get(new TopicPartition("txn-a", 0))).isEqualTo(12L);
        }
    }

    @Test
    void anOpenTransactionHoldsBackReadCommittedConsumersUntilItCommits() throws Exception {
        cluster.createTopic("txn-open", 1);
        TopicPartition tp = new TopicPartition("txn-open", 0);
        try (KafkaProducer<String, String> plain = cluster.producer(Map.of());
             KafkaProducer<String, String> p = transactional("tx-open", Map.of())) {
            plain.send(new ProducerRecord<>("txn-open", 0, "k", "before")).get();
            p.beginTransaction();
            p.send(new ProducerRecord<>("txn-open", 0, "k", "in-txn")).get();
            // Written after the transaction's first record, by a producer without transactions.
            plain.send(new ProducerRecord<>("txn-open", 0, "k", "after")).get();
            try (KafkaConsumer<String, String> c = reader(IsolationLevel.READ_COMMITTED)) {
                assertThat(c.endOffsets(List.of(tp)).get(tp)).as("last stable offset").isEqualTo(1L);
            }
            try (KafkaConsumer<String, String> c = reader(IsolationLevel.READ_UNCOMMITTED)) {
                assertThat(c.endOffsets(List.of(tp)).get(tp)).as("high watermark").isEqualTo(3L);
            }
            assertThat(readAll(IsolationLevel.READ_COMMITTED, List.of(tp), 1)).containsExactly("before");
            p.commitTransaction();
        }
        assertThat(readAll(IsolationLevel.READ_COMMITTED, List.of(tp), 3)).containsExactly("before", "in-txn", "after");
    }

    @Test
    void consumeTransformProduceCommitsOutputAndOffsetsTogether() throws Exception {
        cluster.createTopic("ctp-in", 2);
        cluster.createTopic("ctp-out", 2);
        int count = 400;
        try (KafkaProducer<String, String> plain = cluster.producer(Map.of())) {
            for (int i = 0; i < count; i++) {
                plain.send(new ProducerRecord<>("ctp-in", i % 2, "k" + i, "v" + i));
            }
            plain.flush();
        }
        String group = "ctp-group";
        Map<String, Object> consumerProps = Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        int transactions = 0;
        int aborted = 0;
        try (KafkaProducer<String, String> p = transactional("tx-ctp", Map.of());
             KafkaConsumer<String, String> c = cluster.consumer(consumerProps)) {
            c.subscribe(List.of("ctp-in"));
            int done = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (done < count && System.nanoTime() < deadline) {
                var records = c.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                p.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> r : records) {
                    p.send(new ProducerRecord<>("ctp-out", r.partition(), r.key(), r.value().toUpperCase()));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                p.sendOffsetsToTransaction(offsets, c.groupMetadata());
                transactions++;
                if (transactions % 4 == 0) {
                    // Every fourth transaction is aborted: its output disappears and its input is read again.
                    p.abortTransaction();
                    aborted++;
                    for (TopicPartition tp : offsets.keySet()) {
                        OffsetAndMetadata committed = c.committed(java.util.Set.of(tp)).get(tp);
                        c.seek(tp, committed == null ? 0 : committed.offset());
                    }
                    continue;
                }
                p.commitTransaction();
                done += records.count();
            }
            assertThat(done).isEqualTo(count);
        }
        assertThat(aborted).isPositive();
        List<String> output = readAll(IsolationLevel.READ_COMMITTED, partitions("ctp-out", 2), count);
        assertThat(output).hasSize(count).doesNotHaveDuplicates();
        Map<TopicPartition, OffsetAndMetadata> committed = cluster.sharedAdmin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        try (KafkaConsumer<String, String> c = reader(IsolationLevel.READ_UNCOMMITTED)) {
            Map<TopicPartition, Long> ends = c.endOffsets(partitions("ctp-in", 2));
            ends.forEach((tp, end) -> assertThat(committed.get(tp).offset()).isEqualTo(end));
        }
    }

    @Test
    void aNewProducerWithTheSameIdFencesTheOldOneAndAbortsItsTransaction() throws Exception {
        cluster.createTopic("txn-zombie", 1);
        TopicPartition tp = new TopicPartition("txn-zombie", 0);
        KafkaProducer<String, String> zombie = transactional("tx-zombie", Map.of());
        try {
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("txn-zombie", 0, "k", "zombie")).get();
            try (KafkaProducer<String, String> successor = transactional("tx-zombie", Map.of())) {
                successor.beginTransaction();
                successor.send(new ProducerRecord<>("txn-zombie", 0, "k", "successor")).get();
                successor.commitTransaction();
            }
            assertThatThrownBy(() -> {
                zombie.send(new ProducerRecord<>("txn-zombie", 0, "k", "zombie-late")).get();
                zombie.commitTransaction();
            }).isInstanceOfAny(ProducerFencedException.class, ExecutionException.class, KafkaException.class);
        } finally {
            zombie.close(Duration.ofSeconds(5));
        }
        assertThat(readAll(IsolationLevel.READ_COMMITTED, List.of(tp), 1)).containsExactly("successor");
    }

    @Test
    void theBrokerAbortsATransactionOpenLongerThanItsTimeout() throws Exception {
        cluster.createTopic("txn-timeout", 1);
        TopicPartition tp = new TopicPartition("txn-timeout", 0);
        try (KafkaProducer<String, String> p = transactional("tx-timeout", Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1500))) {
            p.beginTransaction();
            p.send(new ProducerRecord<>("txn-timeout", 0, "k", "abandoned")).get();
            // The broker aborts it: the last stable offset moves past the abort marker.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                try (KafkaConsumer<String, String> c = reader(IsolationLevel.READ_COMMITTED)) {
                    assertThat(c.endOffsets(List.of(tp)).get(tp)).isEqualTo(2L);
                }
            });
            assertThatThrownBy(p::commitTransaction).isInstanceOf(KafkaException.class);
        }
        assertThat(readAll(IsolationLevel.READ_COMMITTED, List.of(tp), 0)).isEmpty();
    }

    @Test
    void kafkaTransactionsToolListsDescribesAndShowsProducers() throws Exception {
        cluster.createTopic("txn-tool", 1);
        try (KafkaProducer<String, String> p = transactional("tx-tool", Map.of())) {
            p.beginTransaction();
            p.send(new ProducerRecord<>("txn-tool", 0, "k", "open")).get();
            KafkaTools.Result list = KafkaTools.run("org.apache.kafka.tools.TransactionsCommand",
                    "--bootstrap-server", cluster.bootstrap(), "list");
            assertThat(list.exitCode()).as(list.output()).isZero();
            assertThat(list.output()).contains("tx-tool").contains("Ongoing");
            KafkaTools.Result describe = KafkaTools.run("org.apache.kafka.tools.TransactionsCommand",
                    "--bootstrap-server", cluster.bootstrap(), "describe", "--transactional-id", "tx-tool");
            assertThat(describe.exitCode()).as(describe.output()).isZero();
            assertThat(describe.output()).contains("Ongoing").contains("txn-tool-0");
            KafkaTools.Result producers = KafkaTools.run("org.apache.kafka.tools.TransactionsCommand",
                    "--bootstrap-server", cluster.bootstrap(), "describe-producers", "--topic", "txn-tool", "--partition", "0");
            assertThat(producers.exitCode()).as(producers.output()).isZero();
            // The open transaction starts at offset 0.
            assertThat(producers.output()).containsPattern("(?m)^\\s*\\d+\\s+\\d+\\s+\\d+\\s+\\S+\\s+\\S+\\s+0\\s*$");
            p.commitTransaction();
        }
    }
}
