package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The consumer group protocol of KIP-848 ({@code group.protocol=consumer}) with kafka-clients 4.3: members sharing a
 * topic through joins, a leave and a crash with every record read once by the committed offsets, the range assignor
 * and a regular-expression subscription that picks up a new topic, Kafka's own kafka-consumer-groups.sh listing the
 * group's type and describing its members (moving a live group between protocols: GroupMigrationIT).
 */
class ConsumerProtocolIT {

    private static KorvetCluster cluster;
    private static final Map<String, Object> CONSUMER = Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("group.consumer.session.timeout.ms", "6000",
                "group.consumer.heartbeat.interval.ms", "500", "group.consumer.min.session.timeout.ms", "1000",
                "group.consumer.min.heartbeat.interval.ms", "100"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void produce(String topic, int from, int count) {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    private static ConsumerGroupIT.Member member(String group, String topic, Map<String, Integer> seen) {
        return new ConsumerGroupIT.Member(cluster, group, topic, CONSUMER, seen);
    }

    @Test
    void membersJoinAndLeaveUnderLoadAndEveryRecordIsReadOnce() throws Exception {
        String topic = "cp-shared";
        cluster.createTopic(topic, 6);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        produce(topic, 0, 3000);
        try (ConsumerGroupIT.Member a = member("cp-group", topic, seen)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment.size() == 6 && seen.size() == 3000);
            try (ConsumerGroupIT.Member b = member("cp-group", topic, seen)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment.size() == 3 && b.assignment.size() == 3);
                produce(topic, 3000, 3000);
                try (ConsumerGroupIT.Member c = member("cp-group", topic, seen)) {
                    await().atMost(Duration.ofSeconds(60)).until(() ->
                            a.assignment.size() == 2 && b.assignment.size() == 2 && c.assignment.size() == 2);
                    produce(topic, 6000, 3000);
                    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 9000);
                }
                // c left: a and b take its partitions back.
                await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment.size() + b.assignment.size() == 6);
                produce(topic, 9000, 1000);
                await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 10000);
            }
        }
        assertThat(seen).hasSize(10000);
        assertThat(seen.values()).allMatch(n -> n == 1);
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = cluster.sharedAdmin()
                .listConsumerGroupOffsets("cp-group").partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
        assertThat(committed.values().stream().mapToLong(o -> o.offset()).sum()).isEqualTo(10000);
    }

    @Test
    void aGroupsOwnConfigsSetItsHeartbeatIntervalAndSessionTimeout() throws Exception {
        String topic = "cp-group-configs";
        String group = "cp-group-configs-group";
        cluster.createTopic(topic, 1);
        org.apache.kafka.common.config.ConfigResource resource =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.GROUP, group);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                ShareGroupIT.groupConfigs(cluster, group, Map.of("consumer.session.timeout.ms", "500"))))
                .as("below group.consumer.min.session.timeout.ms")
                .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidConfigurationException.class);
        ShareGroupIT.groupConfigs(cluster, group, Map.of("consumer.session.timeout.ms", " 2000", "consumer.heartbeat.interval.ms", "700"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                ShareGroupIT.groupConfigs(cluster, group, Map.of("consumer.heartbeat.interval.ms", "3000"))))
                .as("the interval must stay below the session timeout")
                .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidConfigurationException.class);
        var described = cluster.sharedAdmin().describeConfigs(List.of(resource)).all().get(15, java.util.concurrent.TimeUnit.SECONDS)
                .get(resource);
        assertThat(described.get("consumer.session.timeout.ms").value()).isEqualTo("2000");
        assertThat(described.get("consumer.heartbeat.interval.ms").source())
                .isEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);

        try (RawKafkaConnection raw = RawKafkaConnection.open(cluster.port())) {
            String memberId = org.apache.kafka.common.Uuid.randomUuid().toString();
            org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse joined = raw.call(
                    new org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest.Builder(
                            new org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                                    .setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of(topic))
                                    .setTopicPartitions(List.of())).build((short) 1));
            assertThat(joined.data().errorCode()).isZero();
            assertThat(joined.data().heartbeatIntervalMs()).as("the group's consumer.heartbeat.interval.ms").isEqualTo(700);
            int epoch = joined.data().memberEpoch();
            // No heartbeat for longer than the group's two-second session (the broker's is six): the member is gone.
            Thread.sleep(4_000);
            org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse late = raw.call(
                    new org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest.Builder(
                            new org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                                    .setMemberEpoch(epoch)).build((short) 1));
            assertThat(org.apache.kafka.common.protocol.Errors.forCode(late.data().errorCode()))
                    .isEqualTo(org.apache.kafka.common.protocol.Errors.UNKNOWN_MEMBER_ID);
        }
    }

    @Test
    void aCrashedMemberLosesItsPartitionsAfterTheSessionTimeout() throws Exception {
        String topic = "cp-crashy";
        cluster.createTopic(topic, 4);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        try (GroupMemberMain.Child other = new GroupMemberMain.Child(cluster.bootstrap(), "cp-crash", topic, "6000", "consumer");
             ConsumerGroupIT.Member a = member("cp-crash", topic, seen)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.assignment.size() == 2 && other.assigned.get() == 2);
            other.kill();
            await().atMost(Duration.ofSeconds(40)).until(() -> a.assignment.size() == 4);
        }
    }

    @Test
    void rangeAssignorAndARegularExpressionThatPicksUpANewTopic() throws Exception {
        cluster.createTopic("rx-a", 2);
        cluster.createTopic("rx-b", 2);
        Map<String, Object> props = new HashMap<>(CONSUMER);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "rx-group");
        props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
        try (KafkaConsumer<String, String> consumer = cluster.consumer(props)) {
            consumer.subscribe(new SubscriptionPattern("rx-.*"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.assignment().size() < 4 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            assertThat(consumer.assignment()).hasSize(4);
            cluster.createTopic("rx-c", 3);
            while (consumer.assignment().size() < 7 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            assertThat(consumer.assignment()).contains(new TopicPartition("rx-c", 2)).hasSize(7);
            ConsumerGroupDescription d = cluster.sharedAdmin().describeConsumerGroups(List.of("rx-group")).all()
                    .get(15, TimeUnit.SECONDS).get("rx-group");
            assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(d.partitionAssignor()).isEqualTo("range");
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.members()).hasSize(1);
            assertThat(d.members().iterator().next().assignment().topicPartitions()).hasSize(7);
        }
    }

    @Test
    void kafkaConsumerGroupsToolListsTheTypeAndDescribesMembers() throws Exception {
        String topic = "cp-tool";
        cluster.createTopic(topic, 2);
        produce(topic, 0, 10);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        try (ConsumerGroupIT.Member a = member("cp-tool-group", topic, seen)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 10 && a.assignment.size() == 2);
            KafkaTools.Result list = KafkaTools.run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", cluster.bootstrap(),
                    "--list", "--type", "consumer");
            assertThat(list.exitCode()).as(list.output()).isZero();
            assertThat(list.output()).contains("cp-tool-group");
            KafkaTools.Result members = KafkaTools.run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", cluster.bootstrap(),
                    "--describe", "--group", "cp-tool-group", "--members");
            assertThat(members.exitCode()).as(members.output()).isZero();
            assertThat(members.output()).contains("cp-tool-group").contains("2");
            KafkaTools.Result offsets = KafkaTools.run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", cluster.bootstrap(),
                    "--describe", "--group", "cp-tool-group");
            assertThat(offsets.exitCode()).as(offsets.output()).isZero();
            assertThat(offsets.output()).contains(topic);
            Map<String, GroupListing> listed = new HashMap<>();
            cluster.sharedAdmin().listGroups().all().get(15, TimeUnit.SECONDS).forEach(g -> listed.put(g.groupId(), g));
            assertThat(listed.get("cp-tool-group").type()).hasValue(GroupType.CONSUMER);
        }
    }
}
