package io.korvet.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * A group moving between the classic and the consumer protocol, without a broker: the conversion of members both
 * ways, and classic members reconciled through JoinGroup/SyncGroup/Heartbeat beside a consumer-protocol member, no
 * partition ever held by two members.
 */
class GroupMigrationTest {

    private static final Uuid T = new Uuid(9, 9);

    private static final TopicLookup TOPICS = new OneTopic("t", T, 4);

    private final ModernGroup group = new ModernGroup("g", "uniform");
    private final ClassicMembership classic = new ClassicMembership(TOPICS);

    private static byte[] subscription(Integer... owned) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p : owned) {
            tps.add(new TopicPartition("t", p));
        }
        return Utils.toArray(ConsumerProtocol.serializeSubscription(new Subscription(List.of("t"), null, tps)));
    }

    private static byte[] assignment(Integer... partitions) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p : partitions) {
            tps.add(new TopicPartition("t", p));
        }
        return Utils.toArray(ConsumerProtocol.serializeAssignment(new Assignment(tps)));
    }

    private static Member classicMember(String id, byte[] assignment) {
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        protocols.put("cooperative-sticky", subscription());
        Member m = new Member(id, null, "client", "/127.0.0.1", 45_000, 60_000, protocols);
        m.assignment = assignment;
        return m;
    }

    private JoinGroupResponseData rejoin(String id, Integer... owned) {
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        protocols.put("cooperative-sticky", subscription(owned));
        return classic.join(group, "g", new ConsumerGroup.JoinRequest(id, null, "client", "/127.0.0.1", 45_000, 60_000,
                ConsumerProtocol.PROTOCOL_TYPE, protocols, true, true)).join();
    }

    private Set<Integer> sync(String id, int generation) {
        SyncGroupResponseData r = classic.sync(group, id, null, generation, ConsumerProtocol.PROTOCOL_TYPE, "cooperative-sticky").join();
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        Set<Integer> out = new TreeSet<>();
        ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(r.assignment())).partitions().forEach(tp -> out.add(tp.partition()));
        return out;
    }

    private ConsumerGroupHeartbeatResponseData beat(String member, int epoch, List<Integer> owned) {
        ConsumerGroupHeartbeatRequestData req = new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(member)
                .setMemberEpoch(epoch).setTopicPartitions(List.of(new TopicPartitions().setTopicId(T).setPartitions(new ArrayList<>(owned))));
        if (epoch == 0) {
            req.setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of());
        }
        return group.heartbeat(req, "client", "/127.0.0.1", TOPICS, 5000, System.nanoTime());
    }

    /** No partition is held (assigned or still to be revoked) by two members. */
    private void assertNoPartitionHeldTwice() {
        synchronized (group) {
            Set<Integer> held = new HashSet<>();
            for (ModernMember m : group.members().values()) {
                Set<Integer> mine = new HashSet<>(m.assigned.getOrDefault(T, Set.of()));
                mine.addAll(m.pendingRevocation.getOrDefault(T, Set.of()));
                for (int p : mine) {
                    assertThat(held.add(p)).as("partition %d held twice", p).isTrue();
                }
            }
        }
    }

    private void upgradeWithTwoClassicMembers() {
        List<Member> members = List.of(classicMember("k1", assignment(0, 1)), classicMember("k2", assignment(2, 3)));
        assertThat(GroupConversion.upgradable(ConsumerProtocol.PROTOCOL_TYPE, members)).isTrue();
        group.adopt(5, GroupConversion.toModern(members, 5, TOPICS, System.nanoTime()), TOPICS);
    }

    @Test
    void classicMembersKeepTheirPartitionsAndGenerationWhenTheGroupIsUpgraded() {
        upgradeWithTwoClassicMembers();
        assertThat(group.state()).isEqualTo("Stable");
        assertThat(classic.heartbeat(group, "k1", null, 5)).isEqualTo(Errors.NONE);
        assertThat(classic.heartbeat(group, "k1", null, 4)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(group.validateCommit("k2", 5)).isEqualTo(Errors.NONE);
        assertThat(group.validateCommit("k2", 4)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(sync("k2", 5)).containsExactly(2, 3);
        assertThat(GroupConversion.upgradable("connect", List.of(classicMember("x", new byte[0])))).isFalse();
    }

    @Test
    void aConsumerMemberGetsPartitionsOnlyAfterTheClassicMembersRevokedThem() {
        upgradeWithTwoClassicMembers();
        ConsumerGroupHeartbeatResponseData c = beat("c", 0, List.of());
        assertThat(c.memberEpoch()).isEqualTo(6);
        assertThat(c.assignment().topicPartitions()).allMatch(tp -> tp.partitions().isEmpty());
        assertNoPartitionHeldTwice();

        // k2 must rejoin; as a cooperative member it reports 2 and 3, and is asked to give one of them up first.
        assertThat(classic.heartbeat(group, "k2", null, 5)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData j = rejoin("k2", 2, 3);
        assertThat(j.generationId()).isEqualTo(5);
        assertThat(j.protocolName()).isEqualTo("cooperative-sticky");
        Set<Integer> kept = sync("k2", 5);
        assertThat(kept).hasSize(1);
        assertNoPartitionHeldTwice();
        // c does not get k2's revoked partition while k2 has not said it gave it up.
        beat("c", 6, List.of());
        assertNoPartitionHeldTwice();
        assertThat(group.members().get("c").assigned.getOrDefault(T, Set.of())).isEmpty();

        // k1 keeps its two partitions (the larger share): it just moves to the new epoch.
        assertThat(rejoin("k1", 0, 1).generationId()).isEqualTo(6);
        // k2 rejoins without it: it moves to the new epoch, and c gets the partition.
        assertThat(classic.heartbeat(group, "k2", null, 5)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData again = rejoin("k2", kept.toArray(new Integer[0]));
        assertThat(again.generationId()).isEqualTo(6);
        assertThat(sync("k2", 6)).isEqualTo(kept);
        assertThat(classic.heartbeat(group, "k2", null, 6)).isEqualTo(Errors.NONE);
        beat("c", 6, List.of());
        assertThat(group.members().get("c").assigned.get(T)).hasSize(1);
        assertNoPartitionHeldTwice();
    }

    @Test
    void anEagerClassicMemberThatRevokedEverythingMovesOnAtOnce() {
        upgradeWithTwoClassicMembers();
        beat("c", 0, List.of());
        JoinGroupResponseData j = rejoin("k2");
        assertThat(j.generationId()).isEqualTo(6);
        assertThat(sync("k2", 6)).hasSize(1);
        assertNoPartitionHeldTwice();
    }

    @Test
    void whenTheLastConsumerMemberLeavesOnlyClassicMembersRemainWithTheirPartitions() {
        upgradeWithTwoClassicMembers();
        beat("c", 0, List.of());
        assertThat(group.onlyClassicMembers()).isFalse();
        beat("c", -1, List.of());
        assertThat(group.onlyClassicMembers()).isTrue();
        List<Member> back = GroupConversion.toClassic(group.members().values(), TOPICS);
        assertThat(back).extracting(m -> m.memberId).containsExactly("k1", "k2");
        assertThat(GroupConversion.partitions(back.get(0).assignment, TOPICS)).isEqualTo(Map.of(T, Set.of(0, 1)));
        assertThat(back.get(1).protocols).containsKey("cooperative-sticky");
    }

    @Test
    void aClassicMemberJoiningAConsumerGroupGetsItsShareAfterRevocation() {
        beat("c", 0, List.of());
        assertThat(group.members().get("c").assigned.get(T)).hasSize(4);
        JoinGroupResponseData required = classic.join(group, "g", new ConsumerGroup.JoinRequest("", null, "client", "/h",
                45_000, 60_000, ConsumerProtocol.PROTOCOL_TYPE, new LinkedHashMap<>(Map.of("range", subscription())), true, true)).join();
        assertThat(Errors.forCode(required.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>(Map.of("range", subscription()));
        JoinGroupResponseData j = classic.join(group, "g", new ConsumerGroup.JoinRequest(required.memberId(), null, "client", "/h",
                45_000, 60_000, ConsumerProtocol.PROTOCOL_TYPE, protocols, true, true)).join();
        assertThat(Errors.forCode(j.errorCode())).isEqualTo(Errors.NONE);
        assertNoPartitionHeldTwice();
        assertThat(group.members().get(required.memberId()).state).isEqualTo(ModernMember.State.UNRELEASED_PARTITIONS);
        // c revokes two partitions; the classic member is told to rejoin and gets them.
        ConsumerGroupHeartbeatResponseData c = beat("c", 1, List.of(0, 1, 2, 3));
        List<Integer> keep = c.assignment().topicPartitions().get(0).partitions();
        beat("c", 1, keep);
        assertThat(classic.heartbeat(group, required.memberId(), null, j.generationId())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData again = classic.join(group, "g", new ConsumerGroup.JoinRequest(required.memberId(), null, "client",
                "/h", 45_000, 60_000, ConsumerProtocol.PROTOCOL_TYPE, protocols, true, true)).join();
        SyncGroupResponseData s = classic.sync(group, required.memberId(), null, again.generationId(), "consumer", "range").join();
        assertThat(ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(s.assignment())).partitions()).hasSize(2);
        assertNoPartitionHeldTwice();
    }

    @Test
    void aClassicMemberThatDoesNotRejoinWithinItsRebalanceTimeoutIsRemoved() {
        upgradeWithTwoClassicMembers();
        beat("c", 0, List.of());
        synchronized (group) {
            group.members().get("k1").rebalanceTimeoutMs = 1000;
            group.members().get("k2").rebalanceTimeoutMs = 1000;
        }
        assertThat(classic.heartbeat(group, "k1", null, 5)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(group.expire(System.nanoTime() + 2_000_000_000L, 45_000, TOPICS)).hasSize(1).allMatch(s -> s.startsWith("k1"));
        assertThat(group.members()).containsOnlyKeys("c", "k2");
        assertNoPartitionHeldTwice();
    }
}
