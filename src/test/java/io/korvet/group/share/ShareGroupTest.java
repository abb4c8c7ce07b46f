package io.korvet.group.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.group.TopicLookup;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ShareGroupTest {

    private static final Uuid TOPIC = Uuid.randomUuid();

    private static final TopicLookup TOPICS = new TopicLookup() {
        @Override
        public Uuid idOf(String name) {
            return "t".equals(name) ? TOPIC : null;
        }

        @Override
        public String nameOf(Uuid id) {
            return TOPIC.equals(id) ? "t" : null;
        }

        @Override
        public int partitionsOf(Uuid id) {
            return TOPIC.equals(id) ? 2 : -1;
        }

        @Override
        public Collection<String> names() {
            return List.of("t");
        }
    };

    private static ShareGroupHeartbeatResponseData beat(ShareGroup g, String member, int epoch) {
        return g.heartbeat(new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId(member).setMemberEpoch(epoch)
                .setSubscribedTopicNames(epoch == 0 ? List.of("t") : null), "client", "/host", TOPICS, 500, 0);
    }

    private static Set<Integer> partitions(ShareGroupHeartbeatResponseData r) {
        Set<Integer> out = new HashSet<>();
        r.assignment().topicPartitions().forEach(tp -> out.addAll(tp.partitions()));
        return out;
    }

    @Test
    void moreMembersThanPartitionsShareThemAndEveryMemberGetsOne() {
        ShareGroup g = new ShareGroup("g");
        ShareGroupHeartbeatResponseData a = beat(g, "a", 0);
        assertThat(partitions(a)).containsExactlyInAnyOrder(0, 1);
        beat(g, "b", 0);
        beat(g, "c", 0);
        // a's next heartbeat at its old epoch gets the new assignment.
        ShareGroupHeartbeatResponseData a2 = beat(g, "a", a.memberEpoch());
        ShareGroupHeartbeatResponseData b2 = beat(g, "b", 1);
        ShareGroupHeartbeatResponseData c2 = beat(g, "c", 1);
        Set<Integer> all = new HashSet<>();
        for (ShareGroupHeartbeatResponseData r : List.of(a2, b2, c2)) {
            assertThat(partitions(r)).hasSize(1);
            all.addAll(partitions(r));
        }
        assertThat(all).containsExactlyInAnyOrder(0, 1);
        assertThat(g.describe(TOPICS).members()).hasSize(3);
        // At its current epoch, no assignment is sent again.
        assertThat(beat(g, "c", c2.memberEpoch()).assignment()).isNull();
    }

    @Test
    void leavingAndTimingOutReassign() {
        ShareGroup g = new ShareGroup("g");
        beat(g, "a", 0);
        ShareGroupHeartbeatResponseData b = beat(g, "b", 0);
        assertThat(beat(g, "a", -1).memberEpoch()).isEqualTo(-1);
        assertThat(partitions(beat(g, "b", b.memberEpoch()))).containsExactlyInAnyOrder(0, 1);
        assertThat(g.expire(10_000, 1_000, TOPICS)).containsExactly("b");
        assertThat(g.state()).isEqualTo("Empty");
    }

    @Test
    void unknownMembersAndEpochsFromTheFutureAreRefused() {
        ShareGroup g = new ShareGroup("g");
        ShareGroupHeartbeatResponseData a = beat(g, "a", 0);
        assertThatThrownBy(() -> beat(g, "x", 3)).isInstanceOfSatisfying(ShareGroup.Refused.class,
                e -> assertThat(e.error).isEqualTo(Errors.UNKNOWN_MEMBER_ID));
        assertThatThrownBy(() -> beat(g, "a", a.memberEpoch() + 1)).isInstanceOfSatisfying(ShareGroup.Refused.class,
                e -> assertThat(e.error).isEqualTo(Errors.FENCED_MEMBER_EPOCH));
    }
}
