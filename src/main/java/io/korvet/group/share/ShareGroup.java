package io.korvet.group.share;

import io.korvet.group.TopicLookup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One share group as its coordinator tracks it (KIP-932): its members, their subscriptions and the partitions the
 * simple assignor gives them. A share group has no revocation: a member takes its new assignment at once, and a
 * partition may be given to several members (the share partition's locks keep each record with one at a time).
 */
final class ShareGroup {

    static final String TYPE = "share";
    static final String ASSIGNOR = "simple";

    /** A member: its epoch, subscription, assignment, and last heartbeat. */
    static final class Member {
        final String memberId;
        int epoch;
        String rackId;
        String clientId;
        String clientHost;
        List<String> subscribed = List.of();
        Map<Uuid, Set<Integer>> assigned = new TreeMap<>();
        long lastHeartbeatNanos;

        Member(String memberId) {
            this.memberId = memberId;
        }
    }

    /** A heartbeat refused (UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH). */
    static final class Refused extends RuntimeException {
        final Errors error;

        Refused(Errors error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    private final String groupId;
    private final Map<String, Member> members = new TreeMap<>();
    private int groupEpoch;
    private int assignmentEpoch;
    /** The subscribed topics' ids and partition counts the assignment was computed from. */
    private Map<Uuid, Integer> assignedFrom = Map.of();

    ShareGroup(String groupId) {
        this.groupId = groupId;
    }

    synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    synchronized String state() {
        return members.isEmpty() ? "Empty" : "Stable";
    }

    synchronized ShareGroupHeartbeatResponseData heartbeat(ShareGroupHeartbeatRequestData req, String clientId, String host,
                                                           TopicLookup topics, int heartbeatIntervalMs, long nowNanos) {
        ShareGroupHeartbeatResponseData out = new ShareGroupHeartbeatResponseData().setMemberId(req.memberId())
                .setHeartbeatIntervalMs(heartbeatIntervalMs);
        Member m = members.get(req.memberId());
        if (req.memberEpoch() == -1) {
            if (m != null) {
                members.remove(req.memberId());
                groupEpoch++;
                reassign(topics);
            }
            return out.setMemberEpoch(-1);
        }
        boolean changed = false;
        if (req.memberEpoch() == 0) {
            if (m == null) {
                m = new Member(req.memberId());
                members.put(req.memberId(), m);
                changed = true;
            }
        } else if (m == null) {
            throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Member " + req.memberId() + " is not in group " + groupId + ".");
        } else if (req.memberEpoch() > m.epoch) {
            throw new Refused(Errors.FENCED_MEMBER_EPOCH, "The share group member has a greater member epoch ("
                    + req.memberEpoch() + ") than the one known by the group coordinator (" + m.epoch + ").");
        }
        m.clientId = clientId;
        m.clientHost = host;
        m.lastHeartbeatNanos = nowNanos;
        if (req.rackId() != null) {
            m.rackId = req.rackId();
        }
        if (req.subscribedTopicNames() != null && !List.copyOf(new TreeSet<>(req.subscribedTopicNames())).equals(m.subscribed)) {
            m.subscribed = List.copyOf(new TreeSet<>(req.subscribedTopicNames()));
            changed = true;
        }
        if (changed || !subscribedTopics(topics).equals(assignedFrom)) {
            groupEpoch++;
            reassign(topics);
        }
        if (req.memberEpoch() != m.epoch) {
            out.setAssignment(assignment(m));
        }
        return out.setMemberEpoch(m.epoch);
    }

    /** Removes the members whose session ran out; returns their ids. */
    synchronized List<String> expire(long nowNanos, long sessionTimeoutNanos, TopicLookup topics) {
        List<String> gone = new ArrayList<>();
        members.values().removeIf(m -> {
            boolean expired = nowNanos - m.lastHeartbeatNanos > sessionTimeoutNanos;
            if (expired) {
                gone.add(m.memberId);
            }
            return expired;
        });
        if (!gone.isEmpty()) {
            groupEpoch++;
            reassign(topics);
        }
        return gone;
    }

    /** The topics the members subscribe to, by name. */
    synchronized Set<String> subscribedTopicNames() {
        Set<String> out = new TreeSet<>();
        members.values().forEach(m -> out.addAll(m.subscribed));
        return out;
    }

    /** Every partition assigned to a member. */
    synchronized Map<Uuid, Set<Integer>> assignedPartitions() {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        members.values().forEach(m -> m.assigned.forEach((t, ps) -> out.computeIfAbsent(t, k -> new TreeSet<>()).addAll(ps)));
        return out;
    }

    private Map<Uuid, Integer> subscribedTopics(TopicLookup topics) {
        Map<Uuid, Integer> out = new TreeMap<>();
        for (Member m : members.values()) {
            for (String name : m.subscribed) {
                Uuid id = topics.idOf(name);
                int count = id == null ? -1 : topics.partitionsOf(id);
                if (count > 0) {
                    out.put(id, count);
                }
            }
        }
        return out;
    }

    /**
     * The simple assignor: per topic, the members subscribed to it in member id order share its partitions round
     * robin; with more members than partitions, each member still gets one (partition i mod count), so several
     * members share a partition.
     */
    private void reassign(TopicLookup topics) {
        assignedFrom = subscribedTopics(topics);
        Map<String, Map<Uuid, Set<Integer>>> next = new HashMap<>();
        members.keySet().forEach(id -> next.put(id, new TreeMap<>()));
        assignedFrom.forEach((topic, count) -> {
            String name = topics.nameOf(topic);
            List<String> subscribed = new ArrayList<>();
            members.values().forEach(m -> {
                if (m.subscribed.contains(name)) {
                    subscribed.add(m.memberId);
                }
            });
            if (subscribed.isEmpty()) {
                return;
            }
            int slots = Math.max(count, subscribed.size());
            for (int i = 0; i < slots; i++) {
                next.get(subscribed.get(i % subscribed.size())).computeIfAbsent(topic, t -> new TreeSet<>()).add(i % count);
            }
        });
        assignmentEpoch = groupEpoch;
        for (Member m : members.values()) {
            Map<Uuid, Set<Integer>> a = next.get(m.memberId);
            if (!a.equals(m.assigned) || m.epoch == 0) {
                m.assigned = a;
            }
            m.epoch = groupEpoch;
        }
    }

    private static ShareGroupHeartbeatResponseData.Assignment assignment(Member m) {
        ShareGroupHeartbeatResponseData.Assignment a = new ShareGroupHeartbeatResponseData.Assignment();
        m.assigned.forEach((topic, partitions) -> a.topicPartitions().add(new ShareGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(topic).setPartitions(new ArrayList<>(partitions))));
        return a;
    }

    synchronized ShareGroupDescribeResponseData.DescribedGroup describe(TopicLookup topics) {
        ShareGroupDescribeResponseData.DescribedGroup g = new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                .setGroupState(state()).setGroupEpoch(groupEpoch).setAssignmentEpoch(assignmentEpoch).setAssignorName(ASSIGNOR);
        for (Member m : members.values()) {
            ShareGroupDescribeResponseData.Assignment a = new ShareGroupDescribeResponseData.Assignment();
            m.assigned.forEach((topic, partitions) -> {
                String name = topics.nameOf(topic);
                if (name != null) {
                    a.topicPartitions().add(new ShareGroupDescribeResponseData.TopicPartitions().setTopicId(topic)
                            .setTopicName(name).setPartitions(new ArrayList<>(partitions)));
                }
            });
            g.members().add(new ShareGroupDescribeResponseData.Member().setMemberId(m.memberId).setRackId(m.rackId)
                    .setMemberEpoch(m.epoch).setClientId(m.clientId == null ? "" : m.clientId)
                    .setClientHost(m.clientHost == null ? "" : m.clientHost)
                    .setSubscribedTopicNames(new ArrayList<>(m.subscribed)).setAssignment(a));
        }
        return g;
    }
}
