package io.korvet.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A consumer group of the consumer protocol (KIP-848): membership by heartbeats alone, a group epoch bumped by every
 * change of members, subscriptions or subscribed topics, a target assignment computed by the server-side assignor
 * at that epoch, and each member reconciled towards its target one heartbeat at a time ({@link Reconciliation}).
 * Held in memory by the group's coordinator, as the classic groups are; the committed offsets are in Redis.
 */
final class ModernGroup {

    /** The group type ListGroups reports. */
    static final String TYPE = "consumer";
    static final String EMPTY = "Empty";
    static final String ASSIGNING = "Assigning";
    static final String RECONCILING = "Reconciling";
    static final String STABLE = "Stable";

    /** A heartbeat's error, answered as the response's top-level error code. */
    static final class HeartbeatError extends RuntimeException {
        final Errors error;

        HeartbeatError(Errors error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    private final String groupId;
    private final String defaultAssignor;
    private final Map<String, ModernMember> members = new LinkedHashMap<>();
    private int groupEpoch;
    private int assignmentEpoch;
    private String assignor;
    private Map<String, Map<Uuid, Set<Integer>>> target = new TreeMap<>();
    /** The subscribed topics with their partition counts when the target was last computed. */
    private Map<Uuid, Integer> subscribedTopics = Map.of();

    ModernGroup(String groupId, String defaultAssignor) {
        this.groupId = groupId;
        this.defaultAssignor = defaultAssignor;
        this.assignor = defaultAssignor;
    }

    synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    synchronized String state() {
        if (members.isEmpty()) {
            return EMPTY;
        }
        if (assignmentEpoch != groupEpoch) {
            return ASSIGNING;
        }
        for (ModernMember m : members.values()) {
            if (m.memberEpoch != assignmentEpoch || m.state != ModernMember.State.STABLE) {
                return RECONCILING;
            }
        }
        return STABLE;
    }

    /** One heartbeat; the request was checked for well-formedness already. */
    synchronized ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData req, String clientId, String host,
                                                              TopicLookup topics, int heartbeatIntervalMs, long nowNanos) {
        return heartbeat(req, clientId, host, topics, heartbeatIntervalMs, nowNanos, topic -> true);
    }

    /**
     * One heartbeat, from a member that may see (DESCRIBE) the topics {@code visible} accepts: its regular expression
     * matches only those, as Kafka filters a regex subscription by the member's ACLs.
     */
    synchronized ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData req, String clientId, String host,
                                                              TopicLookup topics, int heartbeatIntervalMs, long nowNanos,
                                                              java.util.function.Predicate<String> visible) {
        ConsumerGroupHeartbeatResponseData out = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(req.memberId()).setHeartbeatIntervalMs(heartbeatIntervalMs);
        if (req.memberEpoch() < 0) {
            leave(req.memberId(), req.memberEpoch(), topics);
            return out.setMemberEpoch(req.memberEpoch());
        }
        ModernMember member = members.get(req.memberId());
        boolean changed = false;
        if (req.memberEpoch() == 0) {
            if (member != null) {
                // A member that lost its epoch (fenced, or its answer lost) rejoins from nothing.
                members.remove(req.memberId());
                member = null;
            }
            ModernMember previous = req.instanceId() == null ? null : staticMember(req.instanceId());
            if (previous != null) {
                if (!previous.leftTemporarily) {
                    throw new HeartbeatError(Errors.UNRELEASED_INSTANCE_ID, "Static member with instance id "
                            + req.instanceId() + " is still in use by member " + previous.memberId);
                }
                // A static member back under a new member id takes over its predecessor's partitions and epoch.
                members.remove(previous.memberId);
                member = previous.takenOverBy(req.memberId());
                Map<Uuid, Set<Integer>> theirs = target.remove(previous.memberId);
                if (theirs != null) {
                    target.put(member.memberId, theirs);
                }
            } else {
                member = new ModernMember(req.memberId());
                changed = true;
            }
            members.put(member.memberId, member);
        } else if (member == null) {
            throw new HeartbeatError(Errors.UNKNOWN_MEMBER_ID, "Member " + req.memberId() + " is not a member of group " + groupId);
        } else {
            checkEpoch(member, req);
        }
        member.clientId = clientId;
        member.clientHost = host;
        member.lastHeartbeatNanos = nowNanos;
        member.visibleTopics = visible;
        if (req.instanceId() != null) {
            member.instanceId = req.instanceId();
        }
        if (req.rackId() != null) {
            member.rackId = req.rackId();
        }
        if (req.rebalanceTimeoutMs() > 0) {
            member.rebalanceTimeoutMs = req.rebalanceTimeoutMs();
        }
        if (req.subscribedTopicNames() != null && !req.subscribedTopicNames().equals(member.subscribedTopicNames)) {
            member.subscribedTopicNames = List.copyOf(req.subscribedTopicNames());
            member.resolved = null;
            changed = true;
        }
        if (req.subscribedTopicRegex() != null && !req.subscribedTopicRegex().equals(nullToEmpty(member.subscribedTopicRegex))) {
            member.subscribedTopicRegex = req.subscribedTopicRegex().isEmpty() ? null : req.subscribedTopicRegex();
            member.resolved = null;
            changed = true;
        }
        if (req.serverAssignor() != null && !req.serverAssignor().equals(member.serverAssignor)) {
            member.serverAssignor = req.serverAssignor();
            changed = true;
        }
        refresh(changed, topics);
        reconcile(member, req.topicPartitions(), topics);
        out.setMemberEpoch(member.memberEpoch);
        if (req.topicPartitions() != null || !member.assigned.equals(member.lastSent)) {
            member.lastSent = copy(member.assigned);
            ConsumerGroupHeartbeatResponseData.Assignment assignment = new ConsumerGroupHeartbeatResponseData.Assignment();
            member.assigned.forEach((topic, partitions) -> assignment.topicPartitions().add(
                    new ConsumerGroupHeartbeatResponseData.TopicPartitions().setTopicId(topic).setPartitions(new ArrayList<>(partitions))));
            out.setAssignment(assignment);
        }
        return out;
    }

    /** Bumps the group epoch when a member's subscription or the subscribed topics changed, and assigns anew. */
    void refresh(boolean changed, TopicLookup topics) {
        Map<Uuid, Integer> nowSubscribed = subscribedTopics(topics);
        if (changed || !nowSubscribed.equals(subscribedTopics)) {
            groupEpoch++;
        }
        if (assignmentEpoch != groupEpoch) {
            computeTarget(topics, nowSubscribed);
        }
    }

    /** Moves a member towards its target, given the partitions it reports owning (null: it did not say). */
    void reconcile(ModernMember member, List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned, TopicLookup topics) {
        Reconciliation.reconcile(member, assignmentEpoch, target.getOrDefault(member.memberId, Map.of()), Subscriptions.ids(member, topics),
                owned, (topic, p) -> heldByAnother(member, topic, p));
    }

    /** Whether a member waiting for partitions still waits: another member holds one of its target's. */
    boolean waitsOnUnreleased(ModernMember member) {
        for (Map.Entry<Uuid, Set<Integer>> e : target.getOrDefault(member.memberId, Map.of()).entrySet()) {
            for (int p : e.getValue()) {
                if (!member.holds(e.getKey(), p) && heldByAnother(member, e.getKey(), p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A static member's target follows it to its new member id. */
    void retarget(String oldId, String newId) {
        Map<Uuid, Set<Integer>> theirs = target.remove(oldId);
        if (theirs != null) {
            target.put(newId, theirs);
        }
    }

    /** The members by id, live: only under the group's lock. */
    Map<String, ModernMember> members() {
        return members;
    }

    int groupEpoch() {
        return groupEpoch;
    }

    /** Whether it has members and all of them use the classic protocol (a group to move back to it). */
    synchronized boolean onlyClassicMembers() {
        return !members.isEmpty() && members.values().stream().allMatch(m -> m.classic != null);
    }

    /** Takes over the members of a classic group at its generation, each keeping its partitions as its target. */
    synchronized void adopt(int epoch, List<ModernMember> adopted, TopicLookup topics) {
        adopted.forEach(m -> {
            members.put(m.memberId, m);
            target.put(m.memberId, copy(m.assigned));
        });
        groupEpoch = epoch;
        assignmentEpoch = epoch;
        subscribedTopics = subscribedTopics(topics);
    }

    /**
     * A heartbeat's epoch must be the member's, or its previous one while the partitions it reports are all still its
     * own (the answer that moved it on was lost).
     */
    private void checkEpoch(ModernMember member, ConsumerGroupHeartbeatRequestData req) {
        int epoch = req.memberEpoch();
        if (epoch == member.memberEpoch) {
            return;
        }
        if (epoch < member.memberEpoch && epoch == member.previousMemberEpoch && req.topicPartitions() != null
                && !ownsOutside(req.topicPartitions(), member.assigned)) {
            return;
        }
        throw new HeartbeatError(Errors.FENCED_MEMBER_EPOCH, "The consumer group member has a member epoch (" + epoch
                + ") which is not the current one (" + member.memberEpoch + ")");
    }

    private static boolean ownsOutside(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned, Map<Uuid, Set<Integer>> mine) {
        for (var tp : owned) {
            for (int p : tp.partitions()) {
                if (!mine.getOrDefault(tp.topicId(), Set.of()).contains(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Epoch -1: the member leaves; -2: a static member leaves for a while, keeping its partitions until it expires. */
    void leave(String memberId, int epoch, TopicLookup topics) {
        ModernMember staying = members.get(memberId);
        if (epoch == -2 && staying != null && staying.instanceId != null) {
            staying.leftTemporarily = true;
            return;
        }
        ModernMember m = members.remove(memberId);
        if (m != null) {
            groupEpoch++;
            computeTarget(topics, subscribedTopics(topics));
        }
    }

    /** Removes the members whose session expired, or that did not revoke (or rejoin) within their rebalance timeout. */
    synchronized List<String> expire(long nowNanos, long sessionTimeoutMs, TopicLookup topics) {
        List<String> gone = new ArrayList<>();
        for (ModernMember m : new ArrayList<>(members.values())) {
            boolean session = nowNanos - m.lastHeartbeatNanos > m.sessionTimeoutMs(sessionTimeoutMs) * 1_000_000L;
            if (session || m.overdue(nowNanos)) {
                members.remove(m.memberId);
                gone.add(m.memberId + (session ? " (session timed out)" : " (did not revoke or rejoin within its rebalance timeout)"));
            }
        }
        if (!gone.isEmpty()) {
            groupEpoch++;
            computeTarget(topics, subscribedTopics(topics));
        }
        return gone;
    }

    /** An offset commit's member and epoch: a member at its current epoch, or nobody's while the group is empty. */
    synchronized Errors validateCommit(String memberId, int epoch) {
        if ((memberId == null || memberId.isEmpty()) && epoch < 0) {
            return members.isEmpty() ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
        }
        ModernMember m = members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        // A classic member's generation is its member epoch; a stale one is ILLEGAL_GENERATION to it, as in Kafka.
        return epoch == m.memberEpoch ? Errors.NONE : m.classic != null ? Errors.ILLEGAL_GENERATION : Errors.STALE_MEMBER_EPOCH;
    }

    synchronized Set<String> subscribedTopicNames(TopicLookup topics) {
        Set<String> names = new TreeSet<>();
        subscribedTopics(topics).keySet().forEach(id -> {
            String name = topics.nameOf(id);
            if (name != null) {
                names.add(name);
            }
        });
        return names;
    }

    synchronized int memberCount() {
        return members.size();
    }

    synchronized ConsumerGroupDescribeResponseData.DescribedGroup describe(TopicLookup topics) {
        return ModernGroupDescriptions.describe(new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                .setGroupState(state()).setGroupEpoch(groupEpoch).setAssignmentEpoch(assignmentEpoch).setAssignorName(assignor),
                members.values(), target, topics);
    }

    /** The group as DescribeGroups describes a classic one ({@link ModernGroupDescriptions}). */
    synchronized org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup describeAsClassic(String id, TopicLookup topics) {
        return ModernGroupDescriptions.describeAsClassic(id, state(), assignor, members.values(), topics);
    }

    private ModernMember staticMember(String instanceId) {
        for (ModernMember m : members.values()) {
            if (instanceId.equals(m.instanceId)) {
                return m;
            }
        }
        return null;
    }

    /** Whether a member other than {@code self} holds the partition (or has yet to give it up). */
    private boolean heldByAnother(ModernMember self, Uuid topic, int partition) {
        for (ModernMember m : members.values()) {
            if (m != self && m.holds(topic, partition)) {
                return true;
            }
        }
        return false;
    }

    private void computeTarget(TopicLookup topics, Map<Uuid, Integer> nowSubscribed) {
        Map<String, Set<Uuid>> subscriptions = new TreeMap<>();
        Map<String, Integer> votes = new HashMap<>();
        for (ModernMember m : members.values()) {
            subscriptions.put(m.memberId, Subscriptions.ids(m, topics));
            if (m.serverAssignor != null) {
                votes.merge(m.serverAssignor, 1, Integer::sum);
            }
        }
        assignor = votes.isEmpty() ? defaultAssignor
                : votes.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                        .get().getKey();
        target = ServerAssignors.assign(assignor, subscriptions, nowSubscribed, target);
        subscribedTopics = nowSubscribed;
        assignmentEpoch = groupEpoch;
    }

    /** Every topic some member subscribes to, with its partition count. */
    private Map<Uuid, Integer> subscribedTopics(TopicLookup topics) {
        Map<Uuid, Integer> out = new HashMap<>();
        for (ModernMember m : members.values()) {
            for (Uuid id : Subscriptions.ids(m, topics)) {
                out.put(id, topics.partitionsOf(id));
            }
        }
        return out;
    }

    private static Map<Uuid, Set<Integer>> copy(Map<Uuid, Set<Integer>> m) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, new TreeSet<>(v)));
        return out;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
