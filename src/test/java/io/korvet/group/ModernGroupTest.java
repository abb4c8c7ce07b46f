package io.korvet.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The consumer protocol's group state machine, heartbeat by heartbeat, without a broker. */
class ModernGroupTest {

    private static final Uuid T = new Uuid(7, 7);

    private static final TopicLookup TOPICS = new OneTopic("t", T, 4);

    private final ModernGroup group = new ModernGroup("g", "uniform");

    private ConsumerGroupHeartbeatResponseData join(String member) {
        return group.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(member).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()),
                "client", "/127.0.0.1", TOPICS, 5000, System.nanoTime());
    }

    private ConsumerGroupHeartbeatResponseData beat(String member, int epoch, Set<Integer> owned) {
        ConsumerGroupHeartbeatRequestData req = new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(member)
                .setMemberEpoch(epoch);
        if (owned != null) {
            req.setTopicPartitions(List.of(new TopicPartitions().setTopicId(T).setPartitions(new ArrayList<>(owned))));
        }
        return group.heartbeat(req, "client", "/127.0.0.1", TOPICS, 5000, System.nanoTime());
    }

    private static Set<Integer> assigned(ConsumerGroupHeartbeatResponseData r) {
        Set<Integer> out = new TreeSet<>();
        r.assignment().topicPartitions().forEach(tp -> out.addAll(tp.partitions()));
        return out;
    }

    @Test
    void aPartitionMovesOnlyAfterItsOwnerRevokedIt() {
        ConsumerGroupHeartbeatResponseData a = join("a");
        assertThat(a.memberEpoch()).isEqualTo(1);
        assertThat(assigned(a)).containsExactly(0, 1, 2, 3);
        assertThat(group.state()).isEqualTo("Stable");

        ConsumerGroupHeartbeatResponseData b = join("b");
        assertThat(b.memberEpoch()).isEqualTo(2);
        // b's target partitions are still a's: b gets none yet.
        assertThat(assigned(b)).isEmpty();
        assertThat(group.state()).isEqualTo("Reconciling");

        // a is asked to keep two; its epoch stays until it stops reporting the other two.
        ConsumerGroupHeartbeatResponseData a2 = beat("a", 1, Set.of(0, 1, 2, 3));
        assertThat(a2.memberEpoch()).isEqualTo(1);
        Set<Integer> kept = assigned(a2);
        assertThat(kept).hasSize(2);
        assertThat(assigned(beat("b", 2, Set.of()))).isEmpty();
        assertThat(beat("b", 2, null).assignment()).as("nothing changed: no assignment sent").isNull();

        ConsumerGroupHeartbeatResponseData a3 = beat("a", 1, kept);
        assertThat(a3.memberEpoch()).isEqualTo(2);
        ConsumerGroupHeartbeatResponseData b2 = beat("b", 2, Set.of());
        Set<Integer> given = assigned(b2);
        assertThat(given).hasSize(2).doesNotContainAnyElementsOf(kept);
        assertThat(group.state()).isEqualTo("Stable");
    }

    @Test
    void aStaleOrFutureEpochIsFencedButALostAnswerIsForgiven() {
        join("a");
        join("b");
        Set<Integer> kept = assigned(beat("a", 1, Set.of(0, 1, 2, 3)));
        beat("a", 1, kept); // a moves to epoch 2
        // Its answer was lost: it heartbeats again at epoch 1, owning what it kept: accepted.
        assertThat(beat("a", 1, kept).errorCode()).isZero();
        assertThatThrownBy(() -> beat("a", 5, kept)).isInstanceOf(ModernGroup.HeartbeatError.class)
                .satisfies(e -> assertThat(((ModernGroup.HeartbeatError) e).error).isEqualTo(Errors.FENCED_MEMBER_EPOCH));
        assertThatThrownBy(() -> beat("nobody", 1, Set.of())).isInstanceOf(ModernGroup.HeartbeatError.class)
                .satisfies(e -> assertThat(((ModernGroup.HeartbeatError) e).error).isEqualTo(Errors.UNKNOWN_MEMBER_ID));
    }

    @Test
    void leavingAndExpiringReturnPartitionsToTheOthers() {
        join("a");
        join("b");
        Set<Integer> kept = assigned(beat("a", 1, Set.of(0, 1, 2, 3)));
        beat("a", 1, kept);
        beat("b", 2, Set.of());
        assertThat(beat("b", -1, null).memberEpoch()).isEqualTo(-1);
        ConsumerGroupHeartbeatResponseData a = beat("a", 2, kept);
        assertThat(assigned(a)).containsExactly(0, 1, 2, 3);
        assertThat(a.memberEpoch()).isEqualTo(3);

        assertThat(group.expire(System.nanoTime() + 60_000_000_000L, 45_000, TOPICS)).hasSize(1);
        assertThat(group.isEmpty()).isTrue();
        assertThat(group.state()).isEqualTo("Empty");
    }

    @Test
    void aRegularExpressionMatchesOnlyTopicsTheMemberMaySee() {
        ConsumerGroupHeartbeatRequestData join = new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("r")
                .setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of()).setSubscribedTopicRegex("t.*")
                .setTopicPartitions(List.of());
        ConsumerGroupHeartbeatResponseData hidden = group.heartbeat(join, "client", "/127.0.0.1", TOPICS, 5000, System.nanoTime(),
                topic -> false);
        assertThat(assigned(hidden)).isEmpty();
        ModernGroup other = new ModernGroup("g2", "uniform");
        ConsumerGroupHeartbeatResponseData seen = other.heartbeat(join.duplicate().setGroupId("g2"), "client", "/127.0.0.1", TOPICS,
                5000, System.nanoTime(), topic -> true);
        assertThat(assigned(seen)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void offsetCommitsCheckTheMemberEpoch() {
        join("a");
        assertThat(group.validateCommit("a", 1)).isEqualTo(Errors.NONE);
        assertThat(group.validateCommit("a", 0)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(group.validateCommit("x", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(group.validateCommit("", -1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aStaticMemberBackUnderANewIdKeepsItsPartitions() {
        group.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a1").setMemberEpoch(0)
                .setInstanceId("host-a").setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of()), "client", "/127.0.0.1", TOPICS, 5000, System.nanoTime());
        // Still in use: another process with the same instance id is refused.
        assertThatThrownBy(() -> group.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a2")
                .setMemberEpoch(0).setInstanceId("host-a").setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of()), "client", "/127.0.0.1", TOPICS, 5000, System.nanoTime()))
                .satisfies(e -> assertThat(((ModernGroup.HeartbeatError) e).error).isEqualTo(Errors.UNRELEASED_INSTANCE_ID));
        beat("a1", -2, null);
        ConsumerGroupHeartbeatResponseData back = group.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("a2").setMemberEpoch(0).setInstanceId("host-a").setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()), "client", "/127.0.0.1", TOPICS, 5000,
                System.nanoTime());
        assertThat(back.memberEpoch()).isEqualTo(1);
        assertThat(assigned(back)).containsExactly(0, 1, 2, 3);
        assertThat(group.memberCount()).isEqualTo(1);
        assertThat(group.describe(TOPICS).groupEpoch()).isEqualTo(1);
    }
}
