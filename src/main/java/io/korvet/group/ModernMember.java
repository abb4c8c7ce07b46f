package io.korvet.group;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A member of a consumer-protocol group (KIP-848), as its coordinator tracks it: its epochs, its subscription, the
 * partitions it is assigned and those it still has to give up, and when it last heartbeated. Guarded by its group.
 */
final class ModernMember {

    /** Where a member stands in reconciling towards its target. */
    enum State {
        /** It has its target's partitions, or all of them that it can have. */
        STABLE,
        /** It must give up partitions first (reported in its next heartbeats' owned partitions). */
        UNREVOKED_PARTITIONS,
        /** It is at the target epoch but waits for partitions other members still hold. */
        UNRELEASED_PARTITIONS
    }

    /** What a member of the classic protocol (JoinGroup/SyncGroup) told at its last JoinGroup. */
    record Classic(int sessionTimeoutMs, java.util.LinkedHashMap<String, byte[]> protocols) {
        /** The protocol its JoinGroup and SyncGroup answers name: the first it supports, as Kafka picks it. */
        String protocolName() {
            return protocols.keySet().iterator().next();
        }
    }

    final String memberId;
    /** Null for a member of the consumer protocol; what it joined with for a classic member (a group being migrated). */
    Classic classic;
    String instanceId;
    String rackId;
    String clientId;
    String clientHost;
    int memberEpoch;
    int previousMemberEpoch;
    State state = State.STABLE;
    int rebalanceTimeoutMs;
    List<String> subscribedTopicNames = List.of();
    String subscribedTopicRegex;
    String serverAssignor;
    Map<Uuid, Set<Integer>> assigned = new TreeMap<>();
    Map<Uuid, Set<Integer>> pendingRevocation = new TreeMap<>();
    /** The assignment the member was last sent, to send it again only when it changes. */
    Map<Uuid, Set<Integer>> lastSent;
    long lastHeartbeatNanos;
    /** The topics the member may see (DESCRIBE), which its regular expression may match. */
    java.util.function.Predicate<String> visibleTopics = topic -> true;
    /** Its subscribed topic ids as last resolved, and when (null: to resolve). */
    Set<Uuid> resolved;
    long resolvedAtNanos;
    /** A static member that left with epoch -2: its instance id may come back under another member id. */
    boolean leftTemporarily;
    /** When it entered UNREVOKED_PARTITIONS (it is fenced if it stays past its rebalance timeout). */
    long revokingSinceNanos;
    /** A classic member: when it was first told to rejoin (0: it was not), removed if it does not within its rebalance timeout. */
    long rejoinAskedNanos;

    ModernMember(String memberId) {
        this.memberId = memberId;
    }

    /** The same member under a new member id (a static member back after a restart). */
    ModernMember takenOverBy(String newMemberId) {
        ModernMember m = new ModernMember(newMemberId);
        m.instanceId = instanceId;
        m.rackId = rackId;
        m.memberEpoch = memberEpoch;
        m.previousMemberEpoch = previousMemberEpoch;
        m.state = state;
        m.rebalanceTimeoutMs = rebalanceTimeoutMs;
        m.subscribedTopicNames = subscribedTopicNames;
        m.subscribedTopicRegex = subscribedTopicRegex;
        m.serverAssignor = serverAssignor;
        m.assigned = assigned;
        m.pendingRevocation = pendingRevocation;
        m.revokingSinceNanos = revokingSinceNanos;
        m.classic = classic;
        return m;
    }

    /** How long it may stay silent: its own session timeout for a classic member, the group's otherwise. */
    long sessionTimeoutMs(long groupSessionTimeoutMs) {
        return classic == null ? groupSessionTimeoutMs : classic.sessionTimeoutMs();
    }

    /** Whether it held partitions to revoke, or (a classic member) did not rejoin when told, past its rebalance timeout. */
    boolean overdue(long nowNanos) {
        long limit = rebalanceTimeoutMs * 1_000_000L;
        boolean revoking = state == State.UNREVOKED_PARTITIONS && nowNanos - revokingSinceNanos > limit;
        boolean rejoining = rejoinAskedNanos != 0 && nowNanos - rejoinAskedNanos > limit;
        return rebalanceTimeoutMs > 0 && (revoking || rejoining);
    }

    void moveToEpoch(int epoch) {
        if (epoch != memberEpoch) {
            previousMemberEpoch = memberEpoch;
            memberEpoch = epoch;
        }
    }

    /** Whether it holds (or has yet to give up) the partition. */
    boolean holds(Uuid topic, int partition) {
        return assigned.getOrDefault(topic, Set.of()).contains(partition)
                || pendingRevocation.getOrDefault(topic, Set.of()).contains(partition);
    }
}
