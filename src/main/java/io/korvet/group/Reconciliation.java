package io.korvet.group;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;

/**
 * Moves one member towards its target assignment the way KIP-848 requires: partitions leave a member before any
 * other member gets them. A member first keeps only what its target still gives it and is asked to revoke the rest
 * (staying at its epoch until its heartbeats no longer report them); then it moves to the target epoch and gets the
 * target's other partitions, except those another member has not released yet, which it gets in a later heartbeat.
 */
final class Reconciliation {

    private Reconciliation() {
    }

    /**
     * @param target the member's target assignment at {@code targetEpoch}
     * @param subscribed the topic ids the member subscribes to now (its target is empty for the others)
     * @param owned the partitions the member reported owning in this heartbeat, or null when it did not say
     * @param heldByOther whether another member still holds a partition
     */
    static void reconcile(ModernMember member, int targetEpoch, Map<Uuid, Set<Integer>> target, Set<Uuid> subscribed,
                          List<TopicPartitions> owned, BiPredicate<Uuid, Integer> heldByOther) {
        switch (member.state) {
            case STABLE -> {
                if (member.memberEpoch != targetEpoch) {
                    next(member, targetEpoch, target, subscribed, owned, heldByOther);
                }
            }
            case UNREVOKED_PARTITIONS -> {
                if (!ownsAnyOf(owned, member.pendingRevocation)) {
                    next(member, targetEpoch, target, subscribed, owned, heldByOther);
                }
            }
            case UNRELEASED_PARTITIONS -> next(member, targetEpoch, target, subscribed, owned, heldByOther);
            default -> throw new IllegalStateException(member.state.toString());
        }
    }

    private static void next(ModernMember member, int targetEpoch, Map<Uuid, Set<Integer>> target, Set<Uuid> subscribed,
                             List<TopicPartitions> owned, BiPredicate<Uuid, Integer> heldByOther) {
        Map<Uuid, Set<Integer>> assigned = new TreeMap<>();
        Map<Uuid, Set<Integer>> revoke = new TreeMap<>();
        Map<Uuid, Set<Integer>> add = new TreeMap<>();
        boolean unreleased = false;
        Set<Uuid> topics = new HashSet<>(target.keySet());
        topics.addAll(member.assigned.keySet());
        for (Uuid topic : topics) {
            Set<Integer> wanted = subscribed.contains(topic) ? target.getOrDefault(topic, Set.of()) : Set.of();
            Set<Integer> current = member.assigned.getOrDefault(topic, Set.of());
            Set<Integer> keep = new TreeSet<>(current);
            keep.retainAll(wanted);
            Set<Integer> gone = new TreeSet<>(current);
            gone.removeAll(keep);
            Set<Integer> more = new TreeSet<>(wanted);
            more.removeAll(keep);
            int before = more.size();
            more.removeIf(p -> heldByOther.test(topic, p)
                    && !member.pendingRevocation.getOrDefault(topic, Set.of()).contains(p));
            unreleased |= more.size() < before;
            put(assigned, topic, keep);
            put(revoke, topic, gone);
            put(add, topic, more);
        }
        if (!revoke.isEmpty() && ownsAnyOf(owned, revoke)) {
            // Give up first: same epoch, only what is kept.
            if (member.state != ModernMember.State.UNREVOKED_PARTITIONS) {
                member.revokingSinceNanos = System.nanoTime();
            }
            member.state = ModernMember.State.UNREVOKED_PARTITIONS;
            member.assigned = assigned;
            member.pendingRevocation = revoke;
            return;
        }
        add.forEach((topic, partitions) -> assigned.computeIfAbsent(topic, t -> new TreeSet<>()).addAll(partitions));
        member.state = unreleased ? ModernMember.State.UNRELEASED_PARTITIONS : ModernMember.State.STABLE;
        member.moveToEpoch(targetEpoch);
        member.assigned = assigned;
        member.pendingRevocation = new TreeMap<>();
    }

    private static void put(Map<Uuid, Set<Integer>> map, Uuid topic, Set<Integer> partitions) {
        if (!partitions.isEmpty()) {
            map.put(topic, partitions);
        }
    }

    /** Whether the member still reports owning any of them (an unreported ownership counts as owning). */
    static boolean ownsAnyOf(List<TopicPartitions> owned, Map<Uuid, Set<Integer>> partitions) {
        if (owned == null) {
            return true;
        }
        for (TopicPartitions tp : owned) {
            Set<Integer> these = partitions.getOrDefault(tp.topicId(), Set.of());
            for (int p : tp.partitions()) {
                if (these.contains(p)) {
                    return true;
                }
            }
        }
        return false;
    }
}
