package io.korvet.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupMembersTest {

    private static Member member(String id, String instanceId, int rebalanceTimeoutMs, String... protocols) {
        LinkedHashMap<String, byte[]> p = new LinkedHashMap<>();
        for (String name : protocols) {
            p.put(name, new byte[] {(byte) name.length()});
        }
        return new Member(id, instanceId, "client", "/127.0.0.1", 10_000, rebalanceTimeoutMs, p);
    }

    @Test
    void eachMemberVotesForItsFirstProtocolThatAllSupportAndTheMostVotesWin() {
        GroupMembers members = new GroupMembers();
        members.add(member("a", null, 1000, "cooperative-sticky", "range"));
        members.add(member("b", null, 1000, "range", "cooperative-sticky", "roundrobin"));
        members.add(member("c", null, 1000, "range", "cooperative-sticky"));

        assertThat(members.selectProtocol()).isEqualTo("range");

        members.remove("c");
        // One vote each: the protocol voted for first wins the tie.
        assertThat(members.selectProtocol()).isEqualTo("cooperative-sticky");
    }

    @Test
    void aJoiningMemberMustShareAProtocolWithEveryMember() {
        GroupMembers members = new GroupMembers();
        assertThat(members.shareAProtocolWith(Set.of("anything"))).isTrue();

        members.add(member("a", null, 1000, "range", "roundrobin"));
        members.add(member("b", null, 1000, "roundrobin"));

        assertThat(members.shareAProtocolWith(Set.of("roundrobin", "sticky"))).isTrue();
        assertThat(members.shareAProtocolWith(Set.of("range"))).isFalse();
    }

    @Test
    void aStaticInstanceIdFollowsItsNewestMemberAndFencesTheOldOne() {
        GroupMembers members = new GroupMembers();
        members.add(member("old", "instance-1", 1000, "range"));
        assertThat(members.holderOf("instance-1")).isEqualTo("old");
        assertThat(members.fenced("old", "instance-1")).isFalse();

        members.add(member("new", "instance-1", 1000, "range"));
        assertThat(members.fenced("old", "instance-1")).isTrue();
        assertThat(members.fenced("new", "instance-1")).isFalse();
        assertThat(members.fenced("anyone", null)).isFalse();

        // Removing the replaced member leaves the instance id with its new holder.
        members.remove("old");
        assertThat(members.holderOf("instance-1")).isEqualTo("new");
        members.remove("new");
        assertThat(members.holderOf("instance-1")).isNull();
    }

    @Test
    void theLongestRebalanceTimeoutAndTheFirstMemberAreTheGroupsOwn() {
        GroupMembers members = new GroupMembers();
        assertThat(members.maxRebalanceTimeoutMs()).isEqualTo(1);
        assertThat(members.first()).isNull();

        members.add(member("a", null, 3000, "range"));
        members.add(member("b", null, 45_000, "range"));
        members.add(member("c", null, 500, "range"));

        assertThat(members.maxRebalanceTimeoutMs()).isEqualTo(45_000);
        assertThat(members.first()).isEqualTo("a");
        assertThat(members.metadata("range")).hasSize(3);
        assertThat(members.metadata("roundrobin")).allSatisfy(m -> assertThat(m).isEmpty());
        members.remove("a");
        assertThat(members.first()).isEqualTo("b");
        assertThat(members.ids()).containsExactly("b", "c");
    }
}
