package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Share groups (KIP-932) with kafka-clients 4.3's KafkaShareConsumer: several members on fewer partitions than members
 * with every record processed once, a crashed member's records redelivered after the lock, release, reject and the
 * delivery count limit, and share state that survives a broker restart.
 */
class ShareGroupIT {

    private static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("group.share.heartbeat.interval.ms", "500", "group.share.session.timeout.ms", "6000"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static void produce(KorvetCluster cluster, String topic, int from, int count) {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    static void groupConfigs(KorvetCluster cluster, String group, Map<String, String> configs) throws Exception {
        List<AlterConfigOp> ops = new ArrayList<>();
        configs.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        cluster.sharedAdmin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops))
                .all().get(15, TimeUnit.SECONDS);
    }

    static KafkaShareConsumer<String, String> shareConsumer(KorvetCluster cluster, String group, boolean explicit) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", cluster.bootstrap());
        props.put("group.id", group);
        props.put("share.acknowledgement.mode", explicit ? "explicit" : "implicit");
        return new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void severalMembersOnFewerPartitionsProcessEveryRecordOnce() throws Exception {
        String topic = "share-many";
        String group = "share-many-group";
        cluster.createTopic(topic, 2);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest"));
        produce(cluster, topic, 0, 3000);
        Map<String, Integer> processed = new ConcurrentHashMap<>();
        Set<String> inProcess = ConcurrentHashMap.newKeySet();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Map<Integer, AtomicInteger> perMember = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            int member = m;
            perMember.put(member, new AtomicInteger());
            Thread t = new Thread(() -> {
                try (KafkaShareConsumer<String, String> c = shareConsumer(cluster, group, false)) {
                    c.subscribe(List.of(topic));
                    while (running.get()) {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                            if (!inProcess.add(r.key())) {
                                overlaps.incrementAndGet();
                            }
                            processed.merge(r.key(), 1, Integer::sum);
                            perMember.get(member).incrementAndGet();
                            inProcess.remove(r.key());
                        }
                        // Implicit mode: the records of this poll are accepted with the next ShareFetch.
                        c.commitSync();
                    }
                }
            }, "share-member-" + m);
            t.start();
            threads.add(t);
        }
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> processed.size() == 3000);
            produce(cluster, topic, 3000, 1000);
            await().atMost(Duration.ofSeconds(90)).until(() -> processed.size() == 4000);
            var described = cluster.sharedAdmin().describeShareGroups(List.of(group)).describedGroups().get(group).get(15, TimeUnit.SECONDS);
            assertThat(described.members()).hasSize(3);
            assertThat(described.members()).allMatch(m -> !m.assignment().topicPartitions().isEmpty());
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
        assertThat(processed.values()).allMatch(n -> n == 1);
        assertThat(overlaps.get()).isZero();
        Map<TopicPartition, SharePartitionOffsetInfo> offsets = cluster.sharedAdmin()
                .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec())).all().get(15, TimeUnit.SECONDS).get(group);
        assertThat(offsets.values().stream().mapToLong(SharePartitionOffsetInfo::startOffset).sum()).isEqualTo(4000);
    }

    @Test
    void releasedRecordsComeBackRejectedOnesNeverAndTheDeliveryLimitArchives() throws Exception {
        String topic = "share-acks";
        String group = "share-acks-group";
        cluster.createTopic(topic, 1);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest", "share.delivery.count.limit", "3"));
        produce(cluster, topic, 0, 5);
        Map<String, List<Integer>> deliveries = new ConcurrentHashMap<>();
        try (KafkaShareConsumer<String, String> c = shareConsumer(cluster, group, true)) {
            c.subscribe(List.of(topic));
            boolean sentinelSeen = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!sentinelSeen && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> r : records) {
                    deliveries.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.deliveryCount().orElse((short) -1).intValue());
                    switch (r.key()) {
                        // k0 is released each time: delivered three times, then archived.
                        case "k0" -> c.acknowledge(r, AcknowledgeType.RELEASE);
                        case "k1" -> c.acknowledge(r, AcknowledgeType.REJECT);
                        default -> c.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    sentinelSeen |= r.key().equals("k5");
                }
                c.commitSync();
                if (deliveries.getOrDefault("k0", List.of()).size() == 3 && !deliveries.containsKey("k5")) {
                    // Released records come back before later ones: once k5 is delivered, k0 is not available again.
                    produce(cluster, topic, 5, 1);
                }
            }
            assertThat(sentinelSeen).isTrue();
        }
        assertThat(deliveries.get("k0")).containsExactly(1, 2, 3);
        assertThat(deliveries.get("k1")).containsExactly(1);
        assertThat(deliveries.get("k2")).containsExactly(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> startOffset(group, topic) == 6);
    }

    static long startOffset(String group, String topic) throws Exception {
        Map<TopicPartition, SharePartitionOffsetInfo> offsets = cluster.sharedAdmin()
                .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec())).all().get(15, TimeUnit.SECONDS).get(group);
        SharePartitionOffsetInfo info = offsets.get(new TopicPartition(topic, 0));
        return info == null ? -1 : info.startOffset();
    }

    @Test
    void recordsOfAMemberWhoseConnectionDroppedAreRedeliveredAfterTheLock() throws Exception {
        String topic = "share-crash";
        String group = "share-crash-group";
        cluster.createTopic(topic, 1);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest", "share.record.lock.duration.ms", "2000"));
        produce(cluster, topic, 0, 20);
        // A member that acquires records over a raw connection and drops it without acknowledging.
        int acquired = ShareRawMember.acquireAndDrop(cluster, group, topic);
        assertThat(acquired).isEqualTo(20);
        Map<String, Integer> counts = deliveryCounts(group, topic, 20);
        assertThat(counts).hasSize(20);
        // Delivered a second time: the dropped member's delivery counted.
        assertThat(counts.values()).allMatch(n -> n == 2);
    }

    @Test
    void recordsOfAMemberClosedWithoutAcknowledgingGoToAnotherMember() throws Exception {
        String topic = "share-closed";
        String group = "share-closed-group";
        cluster.createTopic(topic, 1);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest"));
        produce(cluster, topic, 0, 10);
        Set<String> held = ConcurrentHashMap.newKeySet();
        try (KafkaShareConsumer<String, String> first = shareConsumer(cluster, group, true)) {
            first.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (held.isEmpty() && System.nanoTime() < deadline) {
                first.poll(Duration.ofMillis(200)).forEach(r -> held.add(r.key()));
            }
            // Closed without acknowledging anything: its share session ends and what it held is released.
        }
        assertThat(held).isNotEmpty();
        Map<String, Integer> counts = deliveryCounts(group, topic, 10);
        assertThat(counts).hasSize(10);
        held.forEach(k -> assertThat(counts.get(k)).as(k).isEqualTo(2));
    }

    @Test
    void aTopicCreatedAgainStartsWithoutTheOldShareState() throws Exception {
        String topic = "share-again";
        String group = "share-again-group";
        cluster.createTopic(topic, 1);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest"));
        produce(cluster, topic, 0, 50);
        assertThat(consumeAll(group, topic, 50)).hasSize(50);
        assertThat(startOffset(group, topic)).isEqualTo(50);
        cluster.sharedAdmin().deleteTopics(List.of(topic)).all().get(15, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> startOffset(group, topic) == -1);
        cluster.createTopic(topic, 1);
        produce(cluster, topic, 0, 5);
        assertThat(consumeAll(group, topic, 5)).containsOnlyKeys("k0", "k1", "k2", "k3", "k4");
    }

    /** A new member of the group reads (and accepts) until it saw {@code expected} keys: how often it saw each. */
    private static Map<String, Integer> consumeAll(String group, String topic, int expected) {
        return read(group, topic, expected, false);
    }

    /** The same, with each key's delivery count as the broker gave it. */
    private static Map<String, Integer> deliveryCounts(String group, String topic, int expected) {
        return read(group, topic, expected, true);
    }

    private static Map<String, Integer> read(String group, String topic, int expected, boolean deliveryCounts) {
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        try (KafkaShareConsumer<String, String> c = shareConsumer(cluster, group, false)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (deliveryCounts) {
                        seen.put(r.key(), (int) r.deliveryCount().orElse((short) -1));
                    } else {
                        seen.merge(r.key(), 1, Integer::sum);
                    }
                }
            }
            c.commitSync();
        }
        return seen;
    }

    @Test
    void aRunningShareConsumerCarriesOnAcrossABrokerRestart() throws Exception {
        String topic = "share-carry-on";
        String group = "share-carry-on-group";
        cluster.createTopic(topic, 2);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest"));
        produce(cluster, topic, 0, 100);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread member = new Thread(() -> {
            try (KafkaShareConsumer<String, String> c = shareConsumer(cluster, group, false)) {
                c.subscribe(List.of(topic));
                while (running.get()) {
                    try {
                        c.poll(Duration.ofMillis(200)).forEach(r -> seen.merge(r.key(), 1, Integer::sum));
                        c.commitSync();
                    } catch (org.apache.kafka.common.KafkaException e) {
                        // The broker went away under a commit: the records come again.
                    }
                }
            }
        });
        member.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 100);
            cluster.stopBroker();
            cluster.startBroker();
            produce(cluster, topic, 100, 100);
            await().atMost(Duration.ofSeconds(90)).until(() -> seen.size() == 200);
        } finally {
            running.set(false);
            member.join(30_000);
        }
        // Only records acknowledged after the broker stopped could come twice; the first hundred were settled before.
        for (int i = 0; i < 100; i++) {
            assertThat(seen.get("k" + i)).as("k" + i).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void transactionalRecordsAndTheirMarkersAreSettled() throws Exception {
        String topic = "share-txn";
        String group = "share-txn-group";
        cluster.createTopic(topic, 1);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest"));
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of("transactional.id", "share-txn-producer"))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.commitTransaction();
        }
        assertThat(consumeAll(group, topic, 10)).hasSize(10);
        // Ten records and the commit marker: the marker's offset, acknowledged as a gap, is settled too.
        await().atMost(Duration.ofSeconds(30)).until(() -> startOffset(group, topic) == 11);
    }

    @Test
    void readCommittedGroupsGetNoAbortedRecordAndWaitForOpenTransactions() throws Exception {
        String topic = "share-committed";
        String committedGroup = "share-committed-group";
        String allGroup = "share-uncommitted-group";
        cluster.createTopic(topic, 1);
        groupConfigs(cluster, committedGroup, Map.of("share.auto.offset.reset", "earliest", "share.isolation.level", "read_committed"));
        groupConfigs(cluster, allGroup, Map.of("share.auto.offset.reset", "earliest"));
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of("transactional.id", "share-committed-producer"))) {
            producer.initTransactions();
            sendInTransaction(producer, topic, "c", 5);
            producer.commitTransaction();
            sendInTransaction(producer, topic, "a", 5);
            producer.flush(); // written, then aborted (unsent records of an aborted transaction are dropped by the producer)
            producer.abortTransaction();
            sendInTransaction(producer, topic, "o", 3);
            producer.flush();

            assertThat(consumeAll(allGroup, topic, 13).keySet()).as("read_uncommitted: every record, aborted and open ones too")
                    .hasSize(13);
            Map<String, Integer> committed = new ConcurrentHashMap<>();
            try (KafkaShareConsumer<String, String> c = shareConsumer(cluster, committedGroup, false)) {
                c.subscribe(List.of(topic));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (committed.size() < 5 && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> committed.merge(r.key(), 1, Integer::sum));
                }
                for (int i = 0; i < 10; i++) {
                    // The open transaction's records are past the last stable offset: not delivered yet.
                    c.poll(Duration.ofMillis(200)).forEach(r -> committed.merge(r.key(), 1, Integer::sum));
                }
                assertThat(committed.keySet()).containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4");

                producer.commitTransaction();
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (committed.size() < 8 && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> committed.merge(r.key(), 1, Integer::sum));
                }
                for (int i = 0; i < 5; i++) {
                    // The commit marker may come in a fetch of its own; the client acknowledges it as a gap.
                    c.poll(Duration.ofMillis(200)).forEach(r -> committed.merge(r.key(), 1, Integer::sum));
                }
                c.commitSync();
            }
            assertThat(committed.keySet()).containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4", "o0", "o1", "o2");
            assertThat(committed.values()).allMatch(n -> n == 1);
        }
        // Thirteen records and three markers, every one settled: the aborted records archived, never delivered.
        await().atMost(Duration.ofSeconds(30)).until(() -> startOffset(committedGroup, topic) == 16);
        var described = cluster.sharedAdmin().describeConfigs(List.of(new ConfigResource(ConfigResource.Type.GROUP, committedGroup)))
                .all().get(15, TimeUnit.SECONDS).values().iterator().next();
        assertThat(described.get("share.isolation.level").value()).isEqualTo("read_committed");
    }

    @Test
    void aGroupResetByDurationStartsAtTheFirstRecordThatRecent() throws Exception {
        String topic = "share-by-duration";
        String group = "share-by-duration-group";
        cluster.createTopic(topic, 1);
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, now - TimeUnit.HOURS.toMillis(2), "old" + i, "v"));
            }
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, now, "new" + i, "v"));
            }
            producer.flush();
        }
        var bad = cluster.sharedAdmin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group),
                List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "by_duration:an hour"), AlterConfigOp.OpType.SET))))
                .all();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> bad.get(15, TimeUnit.SECONDS)))
                .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidConfigurationException.class);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "by_duration:PT1H"));

        assertThat(consumeAll(group, topic, 5).keySet()).containsExactlyInAnyOrder("new0", "new1", "new2", "new3", "new4");
        assertThat(startOffset(group, topic)).isEqualTo(10);
    }

    @Test
    void aRecordLimitMemberReadsEveryRecordOnce() throws Exception {
        String topic = "share-record-limit";
        String group = "share-record-limit-group";
        cluster.createTopic(topic, 1);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest"));
        produce(cluster, topic, 0, 20);
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", cluster.bootstrap());
        props.put("group.id", group);
        props.put("share.acquire.mode", "record_limit");
        props.put("max.poll.records", 3);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        int largestPoll = 0;
        try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < 20 && System.nanoTime() < deadline) {
                var polled = c.poll(Duration.ofMillis(200));
                largestPoll = Math.max(largestPoll, polled.count());
                polled.forEach(r -> seen.merge(r.key(), 1, Integer::sum));
            }
            c.commitSync();
        }
        assertThat(seen).hasSize(20);
        assertThat(seen.values()).allMatch(n -> n == 1);
        // (The client caps each poll at max.poll.records itself; SharePartitionStateTest checks the broker's MaxRecords bound.)
        assertThat(largestPoll).isBetween(1, 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> startOffset(group, topic) == 20);
    }

    private static void sendInTransaction(KafkaProducer<String, String> producer, String topic, String prefix, int count) {
        producer.beginTransaction();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, prefix + i, "v"));
        }
    }

    @Test
    void shareStateSurvivesABrokerRestart() throws Exception {
        String topic = "share-restart";
        String group = "share-restart-group";
        cluster.createTopic(topic, 1);
        groupConfigs(cluster, group, Map.of("share.auto.offset.reset", "earliest"));
        produce(cluster, topic, 0, 100);
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Set<String> held = ConcurrentHashMap.newKeySet();
        KafkaShareConsumer<String, String> first = shareConsumer(cluster, group, true);
        first.subscribe(List.of(topic));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (accepted.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : first.poll(Duration.ofMillis(200))) {
                if (Integer.parseInt(r.key().substring(1)) % 2 == 0) {
                    first.acknowledge(r, AcknowledgeType.ACCEPT);
                    accepted.add(r.key());
                } else {
                    // Acquired, never acknowledged: still held when the broker goes down.
                    held.add(r.key());
                }
            }
        }
        first.commitSync();
        assertThat(accepted).isNotEmpty();
        assertThat(held).isNotEmpty();
        cluster.stopBroker();
        first.close(Duration.ofSeconds(1));
        cluster.startBroker();
        Map<String, Integer> after = consumeAll(group, topic, 100 - accepted.size());
        // Every record not accepted comes back (the held ones too); no accepted one does.
        assertThat(after).hasSize(100 - accepted.size());
        assertThat(after.keySet()).containsAll(held);
        assertThat(after.keySet()).doesNotContainAnyElementsOf(accepted);
    }
}
