package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Consumer groups with real KafkaConsumers on the classic protocol. */
class ConsumerGroupIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("group.initial.rebalance.delay.ms", "100"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static void createTopic(String name, int partitions) throws Exception {
        cluster.createTopic(name, partitions);
    }

    static void produce(String topic, int from, int count) {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    /** A member polling in its own thread, committing synchronously after each batch it processed. */
    static final class Member implements AutoCloseable {
        final KafkaConsumer<String, String> consumer;
        final Thread thread;
        final AtomicBoolean running = new AtomicBoolean(true);
        volatile Set<TopicPartition> assignment = Set.of();
        volatile int generation = -1;

        Member(String group, String topic, Map<String, Object> extra, Map<String, Integer> seen) {
            this(cluster, group, topic, extra, seen);
        }

        Member(KorvetCluster cluster, String group, String topic, Map<String, Object> extra, Map<String, Integer> seen) {
            Map<String, Object> props = new java.util.HashMap<>(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200));
            props.putAll(extra);
            consumer = cluster.consumer(props);
            thread = new Thread(() -> {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<String, String> r : records) {
                        seen.merge(r.value(), 1, Integer::sum);
                    }
                    if (!records.isEmpty()) {
                        consumer.commitSync();
                    }
                    assignment = Set.copyOf(consumer.assignment());
                    generation = consumer.groupMetadata().generationId();
                }
                consumer.close();
            });
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    private void sharesWithoutDuplicates(String topic, String group, Map<String, Object> props) throws Exception {
        createTopic(topic, 6);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        produce(topic, 0, 3000);
        try (Member a = new Member(group, topic, props, seen)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 3000);
            try (Member b = new Member(group, topic, props, seen)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment.size() == 3 && b.assignment.size() == 3);
                produce(topic, 3000, 3000);
                await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 6000);
                try (Member c = new Member(group, topic, props, seen)) {
                    await().atMost(Duration.ofSeconds(60)).until(() ->
                            a.assignment.size() == 2 && b.assignment.size() == 2 && c.assignment.size() == 2);
                    produce(topic, 6000, 3000);
                    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 9000);
                }
            }
        }
        assertThat(seen).hasSize(9000);
        assertThat(seen.values()).allMatch(n -> n == 1);
    }

    @Test
    void twoThenThreeEagerConsumersShareATopicReadingEachRecordOnce() throws Exception {
        sharesWithoutDuplicates("shared-eager", "eager-group", Map.of());
    }

    @Test
    void cooperativeStickyConsumersShareATopicReadingEachRecordOnce() throws Exception {
        sharesWithoutDuplicates("shared-coop", "coop-group",
                Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()));
    }

    @Test
    void aKilledMemberLosesItsPartitionsAfterTheSessionTimeout() throws Exception {
        String topic = "crashy";
        createTopic(topic, 6);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        try (GroupMemberMain.Child other = new GroupMemberMain.Child(cluster.bootstrap(), "crash-group", topic, "6000");
             Member a = new Member("crash-group", topic, Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
                     ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500), seen)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment.size() == 3 && other.assigned.get() == 3);
            other.kill();
            await().atMost(Duration.ofSeconds(40)).until(() -> a.assignment.size() == 6);
        }
    }

    @Test
    void aNewMemberResumesAfterTheCommittedOffsetsAlsoAfterABrokerRestart() throws Exception {
        String topic = "resume";
        createTopic(topic, 2);
        produce(topic, 0, 100);
        TopicPartition p0 = new TopicPartition(topic, 0);
        Map<String, Object> props = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "resume-group", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 30);
        List<ConsumerRecord<String, String>> first = new ArrayList<>();
        try (KafkaConsumer<String, String> c = cluster.consumer(props)) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (first.isEmpty() && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(first::add);
            }
            c.commitSync();
        }
        assertThat(first).isNotEmpty();
        Map<TopicPartition, Long> next = new java.util.HashMap<>();
        for (ConsumerRecord<String, String> r : first) {
            next.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
        }
        assertThat(readFirstOffsets(props, topic)).isEqualTo(next);

        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("resume-group")
                    .partitionsToOffsetAndMetadata().get();
            next.forEach((tp, offset) -> assertThat(committed.get(tp).offset()).isEqualTo(offset));
        }

        cluster.stopBroker();
        cluster.startBroker();
        assertThat(readFirstOffsets(props, topic)).isEqualTo(next);
        assertThat(next).containsKey(p0);
    }

    /** Joins, reads one batch per assigned partition, and says where each partition started. */
    private static Map<TopicPartition, Long> readFirstOffsets(Map<String, Object> props, String topic) {
        Map<TopicPartition, Long> firsts = new java.util.HashMap<>();
        try (KafkaConsumer<String, String> c = cluster.consumer(props)) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (firsts.size() < 2 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    firsts.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
                }
            }
        }
        firsts.entrySet().removeIf(e -> e.getValue() == 0L);
        return firsts;
    }

    @Test
    void aStaticMemberComingBackKeepsItsAssignmentWithoutARebalance() throws Exception {
        String topic = "static";
        createTopic(topic, 4);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        Map<String, Object> a = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-a", ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30000);
        Map<String, Object> b = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-b", ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30000);
        // Each member in turn goes and comes back: one of them is the group's leader, which from JoinGroup v9 on
        // (KIP-814) also comes back without a rebalance.
        Member ma = new Member("static-group", topic, a, seen);
        Member mb = new Member("static-group", topic, b, seen);
        Member bAgain = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> ma.assignment.size() == 2 && mb.assignment.size() == 2
                    && ma.generation == mb.generation);
            int generation = ma.generation;
            Set<TopicPartition> bAssignment = mb.assignment;
            mb.close();
            Member bBack = new Member("static-group", topic, b, seen);
            bAgain = bBack;
            await().atMost(Duration.ofSeconds(30)).until(() -> bBack.assignment.size() == 2);
            assertThat(bBack.assignment).isEqualTo(bAssignment);
            assertThat(bBack.generation).isEqualTo(generation);
            assertThat(ma.generation).isEqualTo(generation);

            Set<TopicPartition> aAssignment = ma.assignment;
            ma.close();
            Member aAgain = new Member("static-group", topic, a, seen);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> aAgain.assignment.size() == 2);
                assertThat(aAgain.assignment).isEqualTo(aAssignment);
                assertThat(aAgain.generation).isEqualTo(generation);
                assertThat(bBack.generation).isEqualTo(generation);
            } finally {
                aAgain.close();
            }
        } finally {
            ma.close();
            mb.close();
            if (bAgain != null) {
                bAgain.close();
            }
        }
    }

    @Test
    void adminListsDescribesAltersAndDeletesGroups() throws Exception {
        String topic = "admin-groups";
        createTopic(topic, 3);
        produce(topic, 0, 30);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        try (Admin admin = cluster.admin(); Member m = new Member("admin-group", topic, Map.of(), seen)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 30 && m.assignment.size() == 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeConsumerGroups(List.of("admin-group"))
                    .all().get().get("admin-group").groupState() == GroupState.STABLE);
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("admin-group")).all().get().get("admin-group");
            assertThat(d.members()).hasSize(1);
            assertThat(d.members().iterator().next().assignment().topicPartitions()).hasSize(3);
            assertThat(d.partitionAssignor()).isEqualTo("range");
            Collection<String> listed = admin.listConsumerGroups().all().get().stream().map(g -> g.groupId()).toList();
            assertThat(listed).contains("admin-group");
            assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of("admin-group")).all().get())
                    .hasCauseInstanceOf(GroupNotEmptyException.class);
        }
        try (Admin admin = cluster.admin()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeConsumerGroups(List.of("admin-group"))
                    .all().get().get("admin-group").groupState() == GroupState.EMPTY);
            TopicPartition p1 = new TopicPartition(topic, 1);
            admin.alterConsumerGroupOffsets("admin-group", Map.of(p1, new OffsetAndMetadata(3, "reset"))).all().get();
            OffsetAndMetadata altered = admin.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata().get().get(p1);
            assertThat(altered.offset()).isEqualTo(3);
            assertThat(altered.metadata()).isEqualTo("reset");
            admin.deleteConsumerGroupOffsets("admin-group", Set.of(p1)).all().get();
            assertThat(admin.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata().get())
                    .containsKey(new TopicPartition(topic, 0));
            // Deleting the topic drops the group's offsets for it, as Kafka does.
            admin.deleteTopics(List.of(topic)).all().get();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    admin.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata().get().isEmpty());
            assertThat(admin.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata().get()).doesNotContainKey(p1);
            admin.deleteConsumerGroups(List.of("admin-group")).all().get();
            assertThat(admin.listConsumerGroups().all().get().stream().map(g -> g.groupId()).toList()).doesNotContain("admin-group");
        }
    }
}
