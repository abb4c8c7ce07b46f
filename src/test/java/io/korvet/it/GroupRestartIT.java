package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A consumer group keeps consuming through a broker restart while a producer keeps writing: three members
 * ({@code subscribe()}, auto-commit off, {@code commitSync()} after each processed batch) rejoin the restarted
 * broker and the group is Stable with all three again; no committed offset is lost (committed offsets, watched
 * all along, never go back, and after the restart are at least what they were before); every record is
 * processed at least once; and once everything is consumed the committed offsets are the end offsets.
 *
 * <p>The broker keeps groups and their members in memory and committed offsets in Redis, so a restart is for
 * the members what a coordinator move is on Kafka: their heartbeats and commits are refused (unknown member,
 * illegal generation), they rejoin, and each partition's new owner resumes from the committed offset. A commit
 * refused that way leaves records uncommitted, which are processed again: at least once, never lost.
 */
class GroupRestartIT {

    private static final String TOPIC = "group-restart";
    private static final String GROUP = "restart-group";
    private static final int PARTITIONS = 6;
    private static final int MEMBERS = 3;
    private static final int MAX_RECORDS = 200_000;

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("group.initial.rebalance.delay.ms", "500"));
        cluster.createTopic(TOPIC, PARTITIONS);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void membersRejoinARestartedBrokerAndNoCommittedOffsetIsLost() throws Exception {
        AtomicIntegerArray processed = new AtomicIntegerArray(MAX_RECORDS);
        List<Member> members = new ArrayList<>();
        try (Admin admin = cluster.admin();
             PacedProducer producer = new PacedProducer();
             CommittedOffsetWatch watch = new CommittedOffsetWatch()) {
            for (int i = 0; i < MEMBERS; i++) {
                members.add(new Member(i, processed));
            }
            await("the group Stable with every member before the restart", () -> stableWithAllMembers(admin));
            await("offsets committed for every partition", () -> committed(admin).size() == PARTITIONS);
            Map<TopicPartition, Long> before = committed(admin);

            long stoppedAt = System.nanoTime();
            cluster.stopBroker();
            Thread.sleep(1_000);
            long restartAt = System.nanoTime();
            cluster.startBroker();
            long upAt = System.nanoTime();
            int sentAtRestart = producer.sent.get();

            await("the group Stable with every member after the restart", () -> stableWithAllMembers(admin));
            long stableAt = System.nanoTime();
            Map<TopicPartition, Long> after = committed(admin);
            before.forEach((tp, offset) -> assertThat(after.get(tp)).as("committed offset of %s after the restart", tp)
                    .isGreaterThanOrEqualTo(offset));

            await("records produced after the restart", () -> producer.sent.get() >= sentAtRestart + 5_000);
            producer.finish();
            Map<TopicPartition, Long> end = endOffsets(admin);
            await("committed offsets at the end offsets", () -> committed(admin).equals(end));
            int acknowledged = producer.acknowledged(processed.length());
            await("every acknowledged record processed", () -> unprocessed(producer, processed) == 0);
            for (Member m : members) {
                m.close();
            }
            watch.close();

            int again = 0;
            for (int i = 0; i < producer.sent.get(); i++) {
                again += Math.max(0, processed.get(i) - 1);
            }
            System.out.printf("GroupRestartIT: broker stopped %d ms (start took %d ms); group Stable with %d members %d ms after the start;"
                            + " committed before %s, after %s, end %s; %d records sent (%d after the restart), %d acknowledged, %d processed again;"
                            + " commits refused %d; committed offsets read %d times, never lower than before%n",
                    TimeUnit.NANOSECONDS.toMillis(upAt - stoppedAt), TimeUnit.NANOSECONDS.toMillis(upAt - restartAt), MEMBERS,
                    TimeUnit.NANOSECONDS.toMillis(stableAt - upAt), sum(before), sum(after), sum(end), producer.sent.get(),
                    producer.sent.get() - sentAtRestart, acknowledged, again,
                    members.stream().mapToInt(m -> m.refusedCommits.get()).sum(), watch.reads.get());

            assertThat(producer.failures).as("sends that failed").isEmpty();
            assertThat(acknowledged).isEqualTo(producer.sent.get());
            assertThat(members).allSatisfy(m -> assertThat(m.errors).as("member %d's unexpected errors", m.index).isEmpty());
            assertThat(watch.decreases).as("committed offsets that went back").isEmpty();
            assertThat(watch.reads.get()).isPositive();
            assertThat(committed(admin)).isEqualTo(end);
            assertThat(sum(end)).isEqualTo(producer.sent.get());
        } finally {
            for (Member m : members) {
                m.close();
            }
        }
    }

    private static boolean stableWithAllMembers(Admin admin) throws Exception {
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(GROUP)).all().get(5, TimeUnit.SECONDS).get(GROUP);
        return d.groupState() == GroupState.STABLE && d.members().size() == MEMBERS
                && d.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum() == PARTITIONS;
    }

    private static Map<TopicPartition, Long> committed(Admin admin) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS).entrySet()) {
            if (e.getValue() != null) {
                offsets.put(e.getKey(), e.getValue().offset());
            }
        }
        return offsets;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
            end.put(e.getKey(), e.getValue().offset());
        }
        return end;
    }

    private static int unprocessed(PacedProducer producer, AtomicIntegerArray processed) {
        int missing = 0;
        for (int i = 0; i < producer.sent.get(); i++) {
            if (producer.acked.get(i) == 1 && processed.get(i) == 0) {
                missing++;
            }
        }
        return missing;
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Polls {@code condition} (exceptions count as false) until it holds, for at most 90 s. */
    private static void await(String what, Callable condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within 90 s: " + what + (last == null ? "" : " (last error: " + last + ")"));
    }

    private interface Callable {
        boolean call() throws Exception;
    }

    /** An idempotent producer writing about 5,000 records a second until told to finish; the value is the record's number. */
    private static final class PacedProducer implements AutoCloseable {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicIntegerArray acked = new AtomicIntegerArray(MAX_RECORDS);
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread = new Thread(this::run, "paced-producer");

        PacedProducer() {
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
                for (int seq = 0; seq < MAX_RECORDS && running.get(); seq++) {
                    int s = seq;
                    producer.send(new ProducerRecord<>(TOPIC, "key-" + (seq % 64), Integer.toString(seq)), (meta, error) -> {
                        if (error == null) {
                            acked.set(s, 1);
                        } else if (failures.size() < 10) {
                            failures.add(s + ": " + error);
                        }
                    });
                    sent.set(seq + 1);
                    if (seq % 250 == 249) {
                        Thread.sleep(50);
                    }
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failures.add("producer thread: " + e);
            }
        }

        /** Stops sending and waits (bounded) until everything sent is answered. */
        void finish() throws InterruptedException {
            running.set(false);
            thread.join(150_000);
            assertThat(thread.isAlive()).as("the producer still flushing after 150 s").isFalse();
        }

        int acknowledged(int limit) {
            int n = 0;
            for (int i = 0; i < Math.min(limit, sent.get()); i++) {
                n += acked.get(i);
            }
            return n;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(150_000);
        }
    }

    /**
     * A group member as an application writes one: process the polled records, then commit them
     * synchronously. A commit refused because the group moved on (rebalance, restart) is not an error for the
     * application: the records stay uncommitted and come again.
     */
    private static final class Member {
        final int index;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger refusedCommits = new AtomicInteger();
        final Queue<String> errors = new ConcurrentLinkedQueue<>();
        final Thread thread;

        Member(int index, AtomicIntegerArray processed) {
            this.index = index;
            KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500));
            thread = new Thread(() -> {
                try (consumer) {
                    consumer.subscribe(List.of(TOPIC));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
                    while (running.get() && System.nanoTime() < deadline) {
                        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                        for (ConsumerRecord<String, String> r : records) {
                            processed.incrementAndGet(Integer.parseInt(r.value()));
                        }
                        if (!records.isEmpty()) {
                            try {
                                consumer.commitSync(Duration.ofSeconds(30));
                            } catch (CommitFailedException | RebalanceInProgressException | RetriableException e) {
                                refusedCommits.incrementAndGet();
                            }
                        }
                    }
                } catch (KafkaException e) {
                    errors.add(e.toString());
                }
            }, "member-" + index);
            thread.setDaemon(true);
            thread.start();
        }

        void close() throws InterruptedException {
            running.set(false);
            thread.join(60_000);
        }
    }

    /** Reads the group's committed offsets every 200 ms and notes any that went back. */
    private static final class CommittedOffsetWatch implements AutoCloseable {
        final Map<TopicPartition, Long> highest = new ConcurrentHashMap<>();
        final Queue<String> decreases = new ConcurrentLinkedQueue<>();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread = new Thread(this::run, "committed-offset-watch");

        CommittedOffsetWatch() {
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try (Admin admin = cluster.admin()) {
                while (running.get()) {
                    try {
                        committed(admin).forEach((tp, offset) -> {
                            Long previous = highest.merge(tp, offset, Math::max);
                            if (offset < previous) {
                                decreases.add(tp + ": " + offset + " after " + previous);
                            }
                        });
                        reads.incrementAndGet();
                    } catch (Exception e) {
                        // the broker is restarting: read again later
                    }
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }
}
