package io.korvet.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ServerAssignorsTest {

    private static final Uuid A = new Uuid(0, 1);
    private static final Uuid B = new Uuid(0, 2);

    private static int count(Map<Uuid, Set<Integer>> m) {
        return m.values().stream().mapToInt(Set::size).sum();
    }

    /** Every partition of every subscribed topic is assigned exactly once, to a member subscribed to its topic. */
    private static void assertComplete(Map<String, Set<Uuid>> subs, Map<Uuid, Integer> parts, Map<String, Map<Uuid, Set<Integer>>> out) {
        Set<String> seen = new HashSet<>();
        out.forEach((member, assignment) -> assignment.forEach((topic, ps) -> {
            assertThat(subs.get(member)).contains(topic);
            ps.forEach(p -> assertThat(seen.add(topic + ":" + p)).as("assigned twice: " + topic + ":" + p).isTrue());
        }));
        int expected = 0;
        for (Map.Entry<Uuid, Integer> e : parts.entrySet()) {
            if (subs.values().stream().anyMatch(s -> s.contains(e.getKey()))) {
                expected += e.getValue();
            }
        }
        assertThat(seen).hasSize(expected);
    }

    @Test
    void uniformIsBalancedAndKeepsPartitionsWhereTheyAre() {
        Map<String, Set<Uuid>> subs = new HashMap<>(Map.of("m1", Set.of(A, B), "m2", Set.of(A, B)));
        Map<Uuid, Integer> parts = Map.of(A, 4, B, 3);
        var first = ServerAssignors.assign("uniform", subs, parts, Map.of());
        assertComplete(subs, parts, first);
        assertThat(Math.abs(count(first.get("m1")) - count(first.get("m2")))).isLessThanOrEqualTo(1);

        subs.put("m3", Set.of(A, B));
        var second = ServerAssignors.assign("uniform", subs, parts, first);
        assertComplete(subs, parts, second);
        for (String m : subs.keySet()) {
            assertThat(count(second.get(m))).isBetween(2, 3);
        }
        // What m1 and m2 keep, they had: only partitions that had to move did.
        for (String m : Set.of("m1", "m2")) {
            second.get(m).forEach((topic, ps) -> assertThat(first.get(m).get(topic)).containsAll(ps));
        }
    }

    @Test
    void uniformRespectsDifferentSubscriptions() {
        Map<String, Set<Uuid>> subs = Map.of("m1", Set.of(A), "m2", Set.of(A, B), "m3", Set.of(B));
        Map<Uuid, Integer> parts = Map.of(A, 3, B, 3);
        var out = ServerAssignors.assign("uniform", subs, parts, Map.of());
        assertComplete(subs, parts, out);
        assertThat(count(out.get("m1")) + count(out.get("m2")) + count(out.get("m3"))).isEqualTo(6);
        assertThat(out.get("m1").keySet()).containsOnly(A);
        assertThat(out.get("m3").keySet()).containsOnly(B);
    }

    @Test
    void rangeGivesContiguousRangesInMemberOrder() {
        Map<String, Set<Uuid>> subs = Map.of("b", Set.of(A), "a", Set.of(A, B));
        Map<Uuid, Integer> parts = Map.of(A, 5, B, 2);
        var out = ServerAssignors.assign("range", subs, parts, Map.of());
        assertComplete(subs, parts, out);
        assertThat(out.get("a").get(A)).containsExactly(0, 1, 2);
        assertThat(out.get("b").get(A)).containsExactly(3, 4);
        assertThat(out.get("a").get(B)).containsExactly(0, 1);
    }

    @Test
    void noMembersNoAssignmentAndNoSubscriptionNoPartitions() {
        assertThat(ServerAssignors.assign("uniform", Map.of(), Map.of(A, 3), Map.of())).isEmpty();
        var out = ServerAssignors.assign("uniform", Map.of("m", Set.of()), Map.of(A, 3), Map.of());
        assertThat(out.get("m")).isEmpty();
    }
}
