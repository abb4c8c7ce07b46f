package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A live group moving between the classic and the consumer protocol (KIP-848's migration) under load, with
 * kafka-clients 4.3: consumer-protocol members join a classic group one by one while its classic members leave one
 * by one (upgrade), and the reverse (downgrade). Every record is processed, and committed once: a record committed
 * by two members, or a partition owned by two members at once, fails the test.
 */
class GroupMigrationIT {

    private static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("group.consumer.session.timeout.ms", "10000",
                "group.consumer.heartbeat.interval.ms", "500", "group.consumer.min.session.timeout.ms", "10000",
                "group.consumer.min.heartbeat.interval.ms", "500", "group.initial.rebalance.delay.ms", "0"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** What the members of one group did: records committed (by value), partitions owned now, overlaps seen. */
    static final class Ledger {
        final Map<String, Integer> committed = new ConcurrentHashMap<>();
        final Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
        final List<String> overlaps = new CopyOnWriteArrayList<>();
    }

    /** One consumer that processes, then commits synchronously; only records whose commit succeeded count. */
    static final class Worker implements AutoCloseable {
        final String name;
        final Thread thread;
        final AtomicBoolean running = new AtomicBoolean(true);
        volatile Set<TopicPartition> assignment = Set.of();

        Worker(String name, String group, String topic, Map<String, Object> extra, Ledger ledger) {
            this.name = name;
            Map<String, Object> props = new HashMap<>(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 30_000));
            if ("classic".equals(extra.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG))) {
                props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
                props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
            }
            props.putAll(extra);
            KafkaConsumer<String, String> consumer = cluster.consumer(props);
            ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(tp -> ledger.owners.remove(tp, name));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    for (TopicPartition tp : partitions) {
                        String other = ledger.owners.putIfAbsent(tp, name);
                        if (other != null && !other.equals(name)) {
                            ledger.overlaps.add(tp + " given to " + name + " while " + other + " owned it");
                            ledger.owners.put(tp, name);
                        }
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }
            };
            thread = new Thread(() -> {
                try {
                    consumer.subscribe(List.of(topic), listener);
                    while (running.get()) {
                        var records = consumer.poll(Duration.ofMillis(100));
                        if (!records.isEmpty()) {
                            try {
                                consumer.commitSync();
                                for (ConsumerRecord<String, String> r : records) {
                                    ledger.committed.merge(r.value(), 1, Integer::sum);
                                }
                            } catch (KafkaException e) {
                                // Not committed (a rebalance moved on): processed again, here if the partition is still
                                // ours (a later commit would otherwise cover them uncounted), else by its new owner.
                                for (TopicPartition tp : records.partitions()) {
                                    if (consumer.assignment().contains(tp)) {
                                        consumer.seek(tp, records.records(tp).get(0).offset());
                                    }
                                }
                            }
                        }
                        assignment = Set.copyOf(consumer.assignment());
                    }
                } finally {
                    consumer.close();
                }
            }, name);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(60_000);
        }
    }

    /** Writes records "v0", "v1"... until stopped. */
    static final class Load implements AutoCloseable {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Load(String topic) {
            thread = new Thread(() -> {
                try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
                    while (running.get()) {
                        for (int i = 0; i < 20; i++) {
                            int n = sent.getAndIncrement();
                            producer.send(new ProducerRecord<>(topic, "k" + n, "v" + n));
                        }
                        producer.flush();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "load-" + topic);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    private static final Map<String, Object> CLASSIC = Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    private static final Map<String, Object> COOPERATIVE = Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    private static final Map<String, Object> CONSUMER = Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");

    private static void awaitAllOwned(List<Worker> workers, int partitions) {
        await().atMost(Duration.ofSeconds(90)).until(() ->
                workers.stream().mapToInt(w -> w.assignment.size()).sum() == partitions
                        && workers.stream().allMatch(w -> !w.assignment.isEmpty()));
    }

    private static GroupType typeOf(String group) throws Exception {
        for (GroupListing g : cluster.sharedAdmin().listGroups().all().get(15, TimeUnit.SECONDS)) {
            if (g.groupId().equals(group)) {
                return g.type().orElse(null);
            }
        }
        return null;
    }

    private static void assertEverythingCommittedOnce(String group, Load load, Ledger ledger) throws Exception {
        int total = load.sent.get();
        await().atMost(Duration.ofSeconds(90)).until(() -> ledger.committed.size() == total);
        assertThat(ledger.overlaps).isEmpty();
        assertThat(ledger.committed).hasSize(total);
        assertThat(ledger.committed.values()).allMatch(n -> n == 1);
        Map<TopicPartition, OffsetAndMetadata> offsets = cluster.sharedAdmin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
        assertThat(offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(total);
    }

    /**
     * Under load, a group of two members of {@code from} gets a member of {@code to} and loses one of {@code from}, one
     * after the other, until only members of {@code to} are left; then checks every record was committed once.
     */
    private static void rollOver(String name, Map<String, Object> from, List<Map<String, Object>> to, GroupType before,
                                 GroupType during, Check midway) throws Exception {
        String topic = name;
        String group = name + "-group";
        cluster.createTopic(topic, 6);
        Ledger ledger = new Ledger();
        List<Worker> live = new ArrayList<>();
        Load load = new Load(topic);
        try {
            live.add(new Worker("first-1", group, topic, from, ledger));
            live.add(new Worker("first-2", group, topic, from, ledger));
            awaitAllOwned(live, 6);
            assertThat(typeOf(group)).isEqualTo(before);
            for (int i = 0; i < to.size(); i++) {
                live.add(new Worker("then-" + (i + 1), group, topic, to.get(i), ledger));
                awaitAllOwned(live, 6);
                assertThat(typeOf(group)).isEqualTo(during);
                if (i == 0) {
                    midway.check(group);
                }
                live.remove(0).close();
                awaitAllOwned(live, 6);
            }
            load.close();
            assertEverythingCommittedOnce(group, load, ledger);
        } finally {
            load.close();
            for (Worker w : live) {
                w.close();
            }
        }
    }

    interface Check {
        void check(String group) throws Exception;
    }

    /** ConsumerGroupDescribe tells the members of both protocols apart (the Admin client's upgraded()). */
    private static void bothKindsOfMembers(String group) throws Exception {
        ConsumerGroupDescription d = cluster.sharedAdmin().describeConsumerGroups(List.of(group)).all()
                .get(15, TimeUnit.SECONDS).get(group);
        assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
        assertThat(d.members()).hasSize(3);
        assertThat(d.members()).extracting(m -> m.upgraded().orElse(null)).containsOnly(true, false);
    }

    @Test
    void aLiveClassicGroupIsUpgradedMemberByMemberUnderLoad() throws Exception {
        rollOver("migrate-up", CLASSIC, List.of(CONSUMER, CONSUMER), GroupType.CLASSIC, GroupType.CONSUMER,
                GroupMigrationIT::bothKindsOfMembers);
        ConsumerGroupDescription d = cluster.sharedAdmin().describeConsumerGroups(List.of("migrate-up-group")).all()
                .get(15, TimeUnit.SECONDS).get("migrate-up-group");
        assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
    }

    @Test
    void aConsumerGroupIsDowngradedWhenItsLastConsumerMemberLeaves() throws Exception {
        rollOver("migrate-down", CONSUMER, List.of(CLASSIC, COOPERATIVE), GroupType.CONSUMER, GroupType.CONSUMER,
                GroupMigrationIT::bothKindsOfMembers);
        await().atMost(Duration.ofSeconds(30)).until(() -> typeOf("migrate-down-group") == GroupType.CLASSIC);
    }

    @Test
    void withMigrationDisabledALiveClassicGroupKeepsItsProtocol() throws Exception {
        try (KorvetCluster disabled = KorvetCluster.start(Map.of("group.consumer.migration.policy", "disabled"))) {
            String topic = "no-migration";
            disabled.createTopic(topic, 2);
            Map<String, Integer> seen = new ConcurrentHashMap<>();
            try (ConsumerGroupIT.Member classic = new ConsumerGroupIT.Member(disabled, "no-migration-group", topic, CLASSIC, seen)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> classic.assignment.size() == 2);
                Map<String, Object> props = new HashMap<>(CONSUMER);
                props.put(ConsumerConfig.GROUP_ID_CONFIG, "no-migration-group");
                try (KafkaConsumer<String, String> modern = disabled.consumer(props)) {
                    modern.subscribe(List.of(topic));
                    assertThatThrownBy(() -> {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                        while (System.nanoTime() < deadline) {
                            modern.poll(Duration.ofMillis(100));
                        }
                    }).isInstanceOf(GroupIdNotFoundException.class);
                }
                assertThat(classic.assignment).hasSize(2);
            }
        }
    }
}
