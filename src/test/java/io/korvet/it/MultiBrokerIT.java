package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three broker processes over one redis-server: they see each other, share the partition leaders and the groups,
 * see each other's topic changes, refuse a fourth broker with a node id already live, and when one is killed the
 * others take over its partitions and groups with nothing acknowledged lost or duplicated.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiBrokerIT {

    @TempDir
    static Path dir;

    static BrokerFleet fleet;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        fleet = BrokerFleet.start(dir, "multi", 3);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    @Order(1)
    void theBrokersSeeEachOtherAndShareTheLeadersAsKafkaToolsShow() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        assertThat(cluster.nodes().get(30, TimeUnit.SECONDS)).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(cluster.controller().get(30, TimeUnit.SECONDS).id()).isEqualTo(1);

        admin.createTopics(List.of(new NewTopic("spread", 12, (short) 1))).all().get(30, TimeUnit.SECONDS);
        KafkaTools.Result describe = KafkaTools.run(KafkaTools.TOPICS, "--bootstrap-server", fleet.bootstrap(2),
                "--describe", "--topic", "spread");
        assertThat(describe.exitCode()).as(describe.output()).isZero();
        Set<String> leaders = new TreeSet<>();
        Matcher m = Pattern.compile("Leader: (\\d+)").matcher(describe.output());
        while (m.find()) {
            leaders.add(m.group(1));
        }
        System.out.println("MultiBrokerIT: kafka-topics --describe:\n" + describe.output());
        assertThat(leaders).containsExactly("1", "2", "3");

        // librdkafka sees the same cluster.
        String kcat = KcatIT.run("", "-b", fleet.bootstrap(3), "-L", "-t", "spread");
        assertThat(kcat).contains("3 brokers:").contains("broker 1 at").contains("broker 2 at").contains("broker 3 at")
                .contains("leader 1,").contains("leader 2,").contains("leader 3,");

        int total = 3_000;
        Properties p = Clients.producer(fleet.bootstrap(1), StringSerializer.class);
        try (SequencedProducer sender = new SequencedProducer(new KafkaProducer<>(p), "spread", total, 1_000).start()) {
            sender.awaitDone(Duration.ofSeconds(60));
            assertThat(sender.acked()).isEqualTo(total);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Clients.readingFromTheStart(fleet.bootstrap(3), StringDeserializer.class))) {
                assertThat(AcknowledgedRecordsAudit.check(consumer, "spread", 12, sender).acknowledgedFound()).isEqualTo(total);
            }
        }
        String consumed = KcatIT.run("", "-b", fleet.bootstrap(2), "-C", "-t", "spread", "-e", "-q", "-f", "%p:%o\\n");
        assertThat(consumed.lines().filter(l -> l.matches("\\d+:\\d+"))).hasSize(total);
    }

    @Test
    @Order(2)
    void aBrokerAskedForAPartitionItDoesNotLeadAnswersNotLeaderOrFollower() throws Exception {
        admin.createTopics(List.of(new NewTopic("led", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        awaitOnEveryBroker("led", r -> r.error == Errors.NONE);
        TopicDescription d = admin.describeTopics(List.of("led")).allTopicNames().get(30, TimeUnit.SECONDS).get("led");
        for (TopicPartitionInfo info : d.partitions()) {
            int leader = info.leader().id();
            for (int node = 1; node <= 3; node++) {
                Errors error = listLatest(node, "led", info.partition());
                assertThat(error).as("partition %d (leader %d) asked of broker %d", info.partition(), leader, node)
                        .isEqualTo(node == leader ? Errors.NONE : Errors.NOT_LEADER_OR_FOLLOWER);
            }
        }
    }

    @Test
    @Order(3)
    void topicChangesReachEveryBrokerWithinASecondOrTwo() throws Exception {
        try (Admin one = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap(1)))) {
            one.createTopics(List.of(new NewTopic("fresh", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            long seen = awaitOnEveryBroker("fresh", r -> r.error == Errors.NONE && r.partitions == 2);
            one.createPartitions(Map.of("fresh", NewPartitions.increaseTo(4))).all().get(30, TimeUnit.SECONDS);
            long grown = awaitOnEveryBroker("fresh", r -> r.partitions == 4);
            one.deleteTopics(List.of("fresh")).all().get(30, TimeUnit.SECONDS);
            long deleted = awaitOnEveryBroker("fresh", r -> r.error == Errors.UNKNOWN_TOPIC_OR_PARTITION);
            System.out.printf("MultiBrokerIT: a change made on broker 1 reached brokers 2 and 3 within: creation %d ms,"
                    + " partitions added %d ms, deletion %d ms (after the call returned)%n", seen, grown, deleted);

            // A topic default changed dynamically through broker 1 applies on every broker to topics without their own.
            one.createTopics(List.of(new NewTopic("defaults", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            awaitOnEveryBroker("defaults", r -> r.error == Errors.NONE && r.partitions == 3);
            org.apache.kafka.common.config.ConfigResource clusterDefault =
                    new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER, "");
            one.incrementalAlterConfigs(Map.of(clusterDefault, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("message.max.bytes", "1000"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    fleet.bootstrap(2), ProducerConfig.RETRIES_CONFIG, 0), new StringSerializer(), new StringSerializer())) {
                for (int p = 0; p < 3; p++) {
                    int partition = p;
                    // Each partition's leader, whichever broker it is, refuses a 2000-byte record once it has heard.
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                        try {
                            producer.send(new ProducerRecord<>("defaults", partition, null, "x".repeat(2000))).get(30, TimeUnit.SECONDS);
                            return false;
                        } catch (java.util.concurrent.ExecutionException e) {
                            return e.getCause() instanceof org.apache.kafka.common.errors.RecordTooLargeException;
                        }
                    });
                }
            } finally {
                one.incrementalAlterConfigs(Map.of(clusterDefault, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("message.max.bytes", null),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(3)
    void aFeatureChangedThroughOneBrokerIsInForceOnTheOthers() throws Exception {
        try (Admin one = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap(1)))) {
            one.updateFeatures(Map.of("share.version", new org.apache.kafka.clients.admin.FeatureUpdate((short) 0,
                    org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)),
                    new org.apache.kafka.clients.admin.UpdateFeaturesOptions()).all().get(30, TimeUnit.SECONDS);
            try {
                try (Admin three = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap(3)))) {
                    boolean off = false;
                    for (int i = 0; i < 100 && !off; i++) {
                        Thread.sleep(i == 0 ? 0 : 100);
                        off = !three.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS).finalizedFeatures()
                                .containsKey("share.version");
                    }
                    assertThat(off).as("share.version finalized at 0 on broker 3").isTrue();
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> three.describeShareGroups(List.of("no-shares"))
                                    .all().get(30, TimeUnit.SECONDS))
                            .hasCauseInstanceOf(org.apache.kafka.common.errors.UnsupportedVersionException.class);
                }
            } finally {
                one.updateFeatures(Map.of("share.version", new org.apache.kafka.clients.admin.FeatureUpdate((short) 1,
                        org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType.UPGRADE)),
                        new org.apache.kafka.clients.admin.UpdateFeaturesOptions()).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(3)
    void aClientQuotaSetThroughOneBrokerIsInForceOnTheOthers() throws Exception {
        org.apache.kafka.common.quota.ClientQuotaEntity entity = new org.apache.kafka.common.quota.ClientQuotaEntity(
                Map.of(org.apache.kafka.common.quota.ClientQuotaEntity.CLIENT_ID, "fleet-app"));
        org.apache.kafka.common.quota.ClientQuotaFilter filter = org.apache.kafka.common.quota.ClientQuotaFilter.containsOnly(
                List.of(org.apache.kafka.common.quota.ClientQuotaFilterComponent.ofEntity(
                        org.apache.kafka.common.quota.ClientQuotaEntity.CLIENT_ID, "fleet-app")));
        try (Admin one = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap(1)));
             Admin three = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap(3)))) {
            one.alterClientQuotas(List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration(entity,
                    List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration.Op("producer_byte_rate", 4096.0)))))
                    .all().get(30, TimeUnit.SECONDS);
            try {
                Map<String, Double> seen = Map.of();
                for (int i = 0; i < 100 && seen.isEmpty(); i++) {
                    Thread.sleep(i == 0 ? 0 : 100);
                    seen = three.describeClientQuotas(filter).entities().get(30, TimeUnit.SECONDS).getOrDefault(entity, Map.of());
                }
                assertThat(seen).as("the quota as broker 3 describes it").isEqualTo(Map.of("producer_byte_rate", 4096.0));
            } finally {
                one.alterClientQuotas(List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration(entity,
                        List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration.Op("producer_byte_rate", null)))))
                        .all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(3)
    void aReassignmentToTheLiveBrokersIsCompleteAndAnyOtherIsRefusedWithTheReason() throws Exception {
        admin.createTopics(List.of(new NewTopic("reassigned", 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
        org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("reassigned", 0);
        admin.alterPartitionReassignments(Map.of(tp, java.util.Optional.of(
                new org.apache.kafka.clients.admin.NewPartitionReassignment(List.of(3, 1, 2))))).all().get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> admin.alterPartitionReassignments(Map.of(tp, java.util.Optional.of(
                        new org.apache.kafka.clients.admin.NewPartitionReassignment(List.of(2))))).all().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidReplicaAssignmentException.class)
                .hasMessageContaining("Korvet places no replicas");
        assertThatThrownBy(() -> admin.alterPartitionReassignments(Map.of(tp, java.util.Optional.empty()))
                        .all().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(org.apache.kafka.common.errors.NoReassignmentInProgressException.class);
        assertThat(admin.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    @Order(4)
    void aConsumerWithAClientRackReadsFromTheBrokerOfItsRackNotTheLeader() throws Exception {
        String topic = "racks";
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        awaitOnEveryBroker(topic, r -> r.error == Errors.NONE);
        int total = 3_000;
        Properties p = Clients.producer(fleet.bootstrap(), StringSerializer.class);
        SequencedProducer sender = new SequencedProducer(new KafkaProducer<>(p), topic, total, 1_000).start();
        sender.awaitDone(Duration.ofSeconds(60));
        sender.close();
        TopicDescription d = describe(topic);
        for (TopicPartitionInfo info : d.partitions()) {
            assertThat(info.replicas()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
            int leader = info.leader().id();
            int follower = leader % 3 + 1;
            TopicPartition tp = new TopicPartition(topic, info.partition());
            Properties c = Clients.readingFromTheStart(fleet.bootstrap(), StringDeserializer.class);
            c.put(ConsumerConfig.CLIENT_RACK_CONFIG, "rack-" + follower);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                consumer.assign(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                long read = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (read < end && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        assertThat(r.offset()).isEqualTo(read);
                        read++;
                    }
                }
                assertThat(read).as("records of %s read", tp).isEqualTo(end);
                Object replica = consumer.metrics().entrySet().stream()
                        .filter(e -> e.getKey().name().equals("preferred-read-replica")
                                && String.valueOf(info.partition()).equals(e.getKey().tags().get("partition")))
                        .map(e -> e.getValue().metricValue()).findFirst().orElse(null);
                System.out.printf("MultiBrokerIT: %s (leader %d) read by a consumer in rack-%d from broker %s%n", tp, leader,
                        follower, replica);
                assertThat(replica).as("the broker %s was read from", tp).isEqualTo(follower);
            }
        }
    }

    @Test
    @Order(5)
    void aBrokerWithTheNodeIdOfALiveOneIsRefusedAtStartUp() throws Exception {
        BrokerProcess duplicate = fleet.broker(2, io.korvet.storage.redis.RedisServerProcess.freePort());
        try {
            assertThatThrownBy(duplicate::start).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Another live broker is registered with node.id=2");
        } finally {
            duplicate.close();
        }
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    @Order(6)
    void aKilledBrokersPartitionsAndGroupsMoveAndNothingAcknowledgedIsLostOrDuplicated() throws Exception {
        String topic = "failover";
        int partitions = 6;
        int total = 60_000;
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        GroupReader reader = new GroupReader(topic, total).start();
        Properties p = Clients.producer(fleet.bootstrap(), StringSerializer.class);
        try (SequencedProducer sender = new SequencedProducer(new KafkaProducer<>(p), topic, total, 5_000).start()) {
            assertThat(sender.awaitAcked(20_000, Duration.ofSeconds(120))).isTrue();
            int victim = admin.describeConsumerGroups(List.of(GroupReader.GROUP)).all().get(30, TimeUnit.SECONDS)
                    .get(GroupReader.GROUP).coordinator().id();
            Set<Integer> moved = new HashSet<>();
            for (TopicPartitionInfo info : describe(topic).partitions()) {
                if (info.leader().id() == victim) {
                    moved.add(info.partition());
                }
            }
            fleet.kill(victim);
            long killedAt = sender.mark();
            sender.awaitDone(Duration.ofSeconds(180));
            long failover = 0;
            for (int partition : moved) {
                failover = Math.max(failover, sender.firstAckAfterMark(partition) - killedAt);
            }
            System.out.printf("MultiBrokerIT: broker %d (the group's coordinator, leader of partitions %s) SIGKILLed after %d"
                            + " acknowledgements; its partitions were acknowledged again after at most %d ms"
                            + " (broker.session.timeout.ms %d); %d records acknowledged, %.0f producer retries%n",
                    victim, moved, 20_000, TimeUnit.NANOSECONDS.toMillis(failover), BrokerFleet.SESSION_MS, sender.acked(),
                    sender.metric("record-retry-total"));
            assertThat(sender.failures()).isEmpty();
            assertThat(sender.acked()).isEqualTo(total);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Clients.readingFromTheStart(fleet.bootstrap(), StringDeserializer.class))) {
                assertThat(AcknowledgedRecordsAudit.check(consumer, topic, partitions, sender).acknowledgedFound()).isEqualTo(total);
            }
            reader.awaitDone(Duration.ofSeconds(120));
            System.out.printf("MultiBrokerIT: the group read %d records (%d distinct) and rejoined %d times%n",
                    reader.read, reader.distinct(), reader.assignments - 1);
            assertThat(reader.distinct()).isEqualTo(total);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GroupReader.GROUP)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) ->
                    assertThat(committed.get(tp).offset()).as("committed offset of %s", tp).isEqualTo(info.offset()));

            // The broker comes back on its address and takes its share again.
            fleet.startBroker(victim);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Set<Integer> leaders = Set.of();
            while (System.nanoTime() < deadline && leaders.size() < 3) {
                leaders = new HashSet<>();
                for (TopicPartitionInfo info : describe(topic).partitions()) {
                    // No leader while the Admin client's own metadata does not list the broker back yet.
                    if (info.leader() != null) {
                        leaders.add(info.leader().id());
                    }
                }
                Thread.sleep(200);
            }
            assertThat(leaders).containsExactlyInAnyOrder(1, 2, 3);
        }
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }

    private static Errors listLatest(int node, String topic, int partition) throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(fleet.port(node))) {
            ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                    .setTargetTimes(List.of(new ListOffsetsTopic().setName(topic).setPartitions(List.of(
                            new ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)))))
                    .build((short) 7);
            ListOffsetsResponse response = c.call(request);
            return Errors.forCode(response.data().topics().get(0).partitions().get(0).errorCode());
        }
    }

    private record TopicAnswer(Errors error, int partitions) {
    }

    /** Polls brokers 2 and 3 (Metadata, straight to each) until both answer as {@code done}; returns the ms it took. */
    private static long awaitOnEveryBroker(String topic, java.util.function.Predicate<TopicAnswer> done) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(10);
        for (int node = 2; node <= 3; node++) {
            TopicAnswer answer = null;
            while (System.nanoTime() < deadline) {
                answer = metadata(node, topic);
                if (done.test(answer)) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(done.test(answer)).as("broker %d answered %s", node, answer).isTrue();
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static TopicAnswer metadata(int node, String topic) throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(fleet.port(node))) {
            MetadataRequest request = new MetadataRequest.Builder(new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                    .setAllowAutoTopicCreation(false)).build((short) 12);
            MetadataResponse response = c.call(request);
            var t = response.data().topics().find(topic);
            return new TopicAnswer(Errors.forCode(t.errorCode()), t.partitions().size());
        }
    }

    /** A group member reading a topic to its end, committing after every poll, across the kill of its coordinator. */
    private static final class GroupReader {
        static final String GROUP = "failover-group";
        private final String topic;
        private final int total;
        private final BitSet seen = new BitSet();
        private final Thread thread;
        private final AtomicReference<Throwable> crash = new AtomicReference<>();
        volatile long read;
        volatile int assignments;

        GroupReader(String topic, int total) {
            this.topic = topic;
            this.total = total;
            this.thread = new Thread(this::run, "group-reader");
            thread.setDaemon(true);
        }

        GroupReader start() {
            thread.start();
            return this;
        }

        synchronized int distinct() {
            return seen.cardinality();
        }

        private void run() {
            Properties c = Clients.readingFromTheStart(fleet.bootstrap(), StringDeserializer.class);
            c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                consumer.subscribe(List.of(topic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                        assignments++;
                    }
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (distinct() < total && System.nanoTime() < deadline) {
                    var records = consumer.poll(Duration.ofMillis(200));
                    synchronized (this) {
                        for (ConsumerRecord<String, String> r : records) {
                            seen.set(SequencedProducer.seqOf(r.value()));
                            read++;
                        }
                    }
                    try {
                        consumer.commitSync(Duration.ofSeconds(30));
                    } catch (org.apache.kafka.common.errors.RetriableException
                             | org.apache.kafka.clients.consumer.CommitFailedException e) {
                        // The coordinator moved: the next poll finds the new one and rejoins.
                    }
                }
                consumer.commitSync(Duration.ofSeconds(30));
            } catch (Throwable t) {
                crash.set(t);
            }
        }

        void awaitDone(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            assertThat(thread.isAlive()).as("the group reader is still reading, %d of %d", distinct(), total).isFalse();
            if (crash.get() != null) {
                throw new AssertionError("the group reader failed", crash.get());
            }
        }
    }
}
