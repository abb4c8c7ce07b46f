package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.network.ListenerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis stalls (its process paused with SIGSTOP for 8 s) under a produce burst from several idempotent
 * producers: the appends under way time out with retriable codes, the broker stops reading from its
 * sockets once the bytes of unanswered requests pass {@code queued.max.request.bytes} (so its memory stays
 * bounded however much the producers have to send), and when Redis resumes everything recovers: every
 * acknowledged record is in the log exactly once with dense offsets. A consumer group member fetching and
 * committing all along sees only errors its client retries, and reads everything.
 */
class SlowRedisIT {

    private static final long QUEUED_LIMIT = 2L << 20;
    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 12_000;
    private static final int PARTITIONS = 3;
    private static final String TOPIC = "stalled";

    static KorvetCluster cluster;
    /** The first send that failed and why, for the failure message. */
    private static final AtomicReference<String> FIRST_FAILURE = new AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("queued.max.request.bytes", Long.toString(QUEUED_LIMIT)));
        cluster.createTopic(TOPIC, PARTITIONS);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aStalledRedisTimesOutRetriablyKeepsMemoryBoundedAndLosesNothing() throws Exception {
        String padding = "x".repeat(1000);
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong submitted = new AtomicLong();
        AtomicLong peakUnacknowledgedBytes = new AtomicLong();
        long redisPid = cluster.redis().pid();
        AtomicLong peakQueuedDuringStall = new AtomicLong();
        List<Thread> senders = new ArrayList<>();
        Set<String> readByGroup = ConcurrentHashMap.newKeySet();
        List<Throwable> readerFailures = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> readAsAGroup(readByGroup, readerFailures), "group-reader");
        try (BrokerLogCapture logs = BrokerLogCapture.attach()) {
            reader.start();
            for (int p = 0; p < PRODUCERS; p++) {
                int producerIndex = p;
                senders.add(new Thread(() -> send(producerIndex, padding, acknowledged, failed, submitted), "sender-" + p));
            }
            senders.forEach(Thread::start);
            awaitAtLeast(acknowledged::size, PRODUCERS * PER_PRODUCER / 5);

            ProcessSignals.send("STOP", redisPid);
            try {
                long stallEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                while (System.nanoTime() < stallEnds) {
                    ListenerStats stats = cluster.broker().listenerStats();
                    peakQueuedDuringStall.accumulateAndGet(stats.queuedRequestBytes(), Math::max);
                    peakUnacknowledgedBytes.accumulateAndGet((submitted.get() - acknowledged.size()) * padding.length(), Math::max);
                    Thread.sleep(20);
                }
            } finally {
                ProcessSignals.send("CONT", redisPid);
            }
            for (Thread t : senders) {
                t.join(120_000);
            }
            System.out.printf("SlowRedisIT: %d records acknowledged, %d failed; during the 8 s stall the producers had up to %d bytes unacknowledged,"
                            + " the broker held at most %d bytes of unanswered requests (bound %d); %d retriable timeouts answered%n",
                    acknowledged.size(), failed.get(), peakUnacknowledgedBytes.get(), peakQueuedDuringStall.get(), QUEUED_LIMIT,
                    logs.warnings("REQUEST_TIMED_OUT").size());

            assertThat(logs.warnings("REQUEST_TIMED_OUT")).as("appends under way when Redis stalled time out, retriably").isNotEmpty();
            // The bound is checked when a request is read, so each connection may hold what one socket read brings past it.
            assertThat(peakQueuedDuringStall.get()).isLessThanOrEqualTo(QUEUED_LIMIT + PRODUCERS * (2L << 20));
            assertThat(peakUnacknowledgedBytes.get()).as("the producers had far more to send than the broker took in")
                    .isGreaterThan(4 * peakQueuedDuringStall.get());
        }
        assertThat(failed.get()).as("sends that failed; the first: %s", FIRST_FAILURE.get()).isZero();
        assertThat(acknowledged).hasSize(PRODUCERS * PER_PRODUCER);
        reader.join(120_000);
        assertThat(readerFailures).as("a group consumer fetching and committing through the stall only sees retriable errors").isEmpty();
        assertThat(readByGroup).hasSize(PRODUCERS * PER_PRODUCER);
        awaitAtLeast(() -> cluster.broker().listenerStats().queuedRequestBytes() == 0 ? 1 : 0, 1);
        assertEveryAcknowledgedRecordOnceAtItsOffset(acknowledged);
    }

    /**
     * A group member reading history (so its fetches go to Redis) when Redis stalls: its fetches and commits
     * fail with codes its client retries (KAFKA_STORAGE_ERROR, COORDINATOR_NOT_AVAILABLE), never with one that
     * stops it, and it reads everything once Redis is back.
     */
    @Test
    void aGroupReadingHistoryRidesOutAStall() throws Exception {
        String topic = "history";
        int total = 20_000;
        try (var admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(10, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "h" + i, "x".repeat(200)));
            }
            producer.flush();
        }
        Set<String> read = ConcurrentHashMap.newKeySet();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, "history-readers",
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16_384,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100))) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (read.size() < total && System.nanoTime() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    records.forEach(r -> read.add(r.key()));
                    if (!records.isEmpty()) {
                        // Asynchronous, so that the consumer keeps fetching (from Redis) through the stall.
                        consumer.commitAsync();
                        Thread.sleep(20); // reads slowly, so that the stall comes in the middle
                    }
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        }, "history-reader");
        reader.start();
        awaitAtLeast(read::size, total / 10);
        long redisPid = cluster.redis().pid();
        ProcessSignals.send("STOP", redisPid);
        try {
            Thread.sleep(5_000);
        } finally {
            ProcessSignals.send("CONT", redisPid);
        }
        reader.join(120_000);
        assertThat(failures).isEmpty();
        assertThat(read).hasSize(total);
    }

    /** A consumer group member reading and committing all along, through the stall. */
    private static void readAsAGroup(Set<String> read, List<Throwable> failures) {
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "stall-readers"))) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (read.size() < PRODUCERS * PER_PRODUCER && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                records.forEach(r -> read.add(r.key()));
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (Throwable e) {
            failures.add(e);
        }
    }

    private static void send(int producerIndex, String padding, Map<String, Long> acknowledged, AtomicInteger failed, AtomicLong submitted) {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65536,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000))) {
            for (int i = 0; i < PER_PRODUCER; i++) {
                String id = producerIndex + "-" + i;
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, id, id + padding), (meta, error) -> {
                    if (error == null) {
                        acknowledged.put(id, (long) meta.partition() << 40 | meta.offset());
                    } else {
                        failed.incrementAndGet();
                        FIRST_FAILURE.compareAndSet(null, id + ": " + error);
                    }
                });
                submitted.incrementAndGet();
            }
            producer.flush();
        }
    }

    private static void assertEveryAcknowledgedRecordOnceAtItsOffset(Map<String, Long> acknowledged) {
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(TOPIC, p);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                long expectedOffset = 0;
                long deadline = System.currentTimeMillis() + 60_000;
                while (expectedOffset < end && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        assertThat(r.offset()).isEqualTo(expectedOffset++);
                        seen.merge(r.key(), 1, Integer::sum);
                        assertThat(acknowledged.get(r.key())).isEqualTo((long) p << 40 | r.offset());
                    }
                }
                assertThat(expectedOffset).isEqualTo(end);
            }
        }
        assertThat(seen).hasSize(acknowledged.size());
        assertThat(seen.values()).allMatch(count -> count == 1);
    }

    private static void awaitAtLeast(java.util.function.IntSupplier value, int target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (value.getAsInt() < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(value.getAsInt()).isGreaterThanOrEqualTo(target);
    }
}
