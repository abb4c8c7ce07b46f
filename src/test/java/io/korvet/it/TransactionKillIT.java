package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.redis.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
 * A consume-transform-produce loop (transactional producer, read_committed consumer, sendOffsetsToTransaction) while
 * the broker, a process of its own, is killed with SIGKILL and started again: whatever the kill interrupted (a
 * produce, the offsets, the EndTxn, the markers), the loop recovers as Kafka's documentation says (a new producer
 * with the same transactional id, the consumer back at the committed offsets), and in the end the output read
 * with read_committed holds every input record exactly once, and the committed offsets are the input's end.
 */
class TransactionKillIT {

    private static final int RECORDS = 3_000;

    @TempDir
    static Path dir;

    static RedisServerProcess redis;
    static BrokerProcess broker;
    static String bootstrap;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServerProcess.start(dir.resolve("redis"));
        bootstrap = "127.0.0.1:" + RedisServerProcess.freePort();
        broker = new BrokerProcess(dir, Map.of(
                "listeners", "PLAINTEXT://" + bootstrap,
                "korvet.http.listener", "none",
                "korvet.redis.uri", redis.uri(),
                "korvet.namespace", "txkill",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms", "500"));
        broker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = Clients.producer(bootstrap, StringSerializer.class);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kill-loop");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    @Test
    void theOutputHoldsEveryInputRecordOnceThroughABrokerKill() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("in", 2, (short) 1), new NewTopic("out", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> plain = new KafkaProducer<>(Clients.producer(bootstrap, StringSerializer.class))) {
            for (int i = 0; i < RECORDS; i++) {
                plain.send(new ProducerRecord<>("in", i % 2, "k" + i, "v" + i));
            }
            plain.flush();
        }
        Properties c = Clients.consumer(bootstrap, StringDeserializer.class);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "kill-loop-group");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        AtomicInteger commits = new AtomicInteger();
        int recoveries = 0;
        Thread killer = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (commits.get() < 10 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                broker.kill();
                Thread.sleep(1_000);
                broker.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        KafkaProducer<String, String> producer = producer();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of("in"));
            killer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (!caughtUp(consumer) && System.nanoTime() < deadline) {
                try {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    if (records.isEmpty()) {
                        continue;
                    }
                    producer.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<String, String> r : records) {
                        producer.send(new ProducerRecord<>("out", r.partition(), r.key(), r.value().toUpperCase()));
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    commits.incrementAndGet();
                } catch (RuntimeException e) {
                    // Whatever failed (the broker gone, a fenced or timed-out transaction), start over from what is
                    // committed: a new producer of the same id ends the old one's transaction, one way or the other.
                    recoveries++;
                    producer.close(Duration.ZERO);
                    producer = recreate(deadline);
                    rewind(consumer, deadline);
                }
            }
        } finally {
            producer.close(Duration.ofSeconds(5));
            killer.join(TimeUnit.SECONDS.toMillis(60));
        }
        System.out.printf("TransactionKillIT: %d transactions committed, %d recoveries through the kill%n", commits.get(), recoveries);
        assertThat(broker.starts()).as("the broker was killed and started again").isEqualTo(2);
        List<String> output = readCommitted();
        assertThat(output).hasSize(RECORDS);
        Set<String> distinct = new HashSet<>(output);
        assertThat(distinct).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            assertThat(distinct).contains("V" + i);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("kill-loop-group")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.get(new TopicPartition("in", 0)).offset()).isEqualTo(RECORDS / 2);
            assertThat(committed.get(new TopicPartition("in", 1)).offset()).isEqualTo(RECORDS / 2);
        }
    }

    private static KafkaProducer<String, String> recreate(long deadline) {
        while (true) {
            try {
                return producer();
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** Back to the committed offsets (waiting, with require_stable, for a transaction still ending). */
    private static void rewind(KafkaConsumer<String, String> consumer, long deadline) {
        while (true) {
            try {
                Set<TopicPartition> assigned = consumer.assignment();
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
                for (TopicPartition tp : assigned) {
                    OffsetAndMetadata o = committed.get(tp);
                    if (o == null) {
                        consumer.seekToBeginning(List.of(tp));
                    } else {
                        consumer.seek(tp, o.offset());
                    }
                }
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** Whether the consumer's positions are at the input's end on both partitions (it holds both, alone). */
    private static boolean caughtUp(KafkaConsumer<String, String> consumer) {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.size() < 2) {
            return false;
        }
        try {
            for (TopicPartition tp : assigned) {
                if (consumer.position(tp, Duration.ofSeconds(5)) < RECORDS / 2) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static List<String> readCommitted() {
        Properties c = Clients.readingFromTheStart(bootstrap, StringDeserializer.class);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> parts = List.of(new TopicPartition("out", 0), new TopicPartition("out", 1));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int idle = 0;
            while (System.nanoTime() < deadline && (out.size() < RECORDS || idle < 3)) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(300));
                idle = records.isEmpty() ? idle + 1 : 0;
                records.forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}
