package io.korvet.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;
import org.apache.kafka.common.utils.Utils;

/**
 * The members of a group moving between the classic and the consumer protocol, as Kafka converts them: a classic
 * member becomes a consumer-protocol member at the classic generation, keeping the partitions of its last assignment,
 * its subscription from its JoinGroup metadata; going back, a classic member keeps its partitions, encoded as the
 * classic consumer protocol encodes an assignment. Pure functions over the topics' names and ids.
 */
final class GroupConversion {

    private GroupConversion() {
    }

    /**
     * Whether a live classic group can move to the consumer protocol: a group of Kafka consumers (protocol type
     * {@code consumer}) whose members' subscriptions all read as the consumer protocol's.
     */
    static boolean upgradable(String protocolType, Collection<Member> members) {
        if (!ConsumerProtocol.PROTOCOL_TYPE.equals(protocolType)) {
            return false;
        }
        for (Member m : members) {
            if (subscription(m.protocols) == null) {
                return false;
            }
        }
        return true;
    }

    /** The subscription a classic consumer sends in its JoinGroup (its first protocol's), or null when unreadable. */
    static Subscription subscription(Map<String, byte[]> protocols) {
        if (protocols == null || protocols.isEmpty()) {
            return null;
        }
        try {
            return ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(protocols.values().iterator().next()));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The classic members as consumer-protocol members at {@code generation}, each holding its last assignment. */
    static List<ModernMember> toModern(Collection<Member> classic, int generation, TopicLookup topics, long nowNanos) {
        List<ModernMember> out = new ArrayList<>();
        for (Member c : classic) {
            ModernMember m = new ModernMember(c.memberId);
            m.instanceId = c.groupInstanceId;
            m.clientId = c.clientId;
            m.clientHost = c.clientHost;
            m.rebalanceTimeoutMs = c.rebalanceTimeoutMs;
            m.classic = new ModernMember.Classic(c.sessionTimeoutMs, c.protocols);
            Subscription s = subscription(c.protocols);
            m.subscribedTopicNames = s == null ? List.of() : List.copyOf(s.topics());
            m.rackId = s == null ? null : s.rackId().orElse(null);
            m.memberEpoch = generation;
            m.previousMemberEpoch = generation;
            m.assigned = partitions(c.assignment, topics);
            m.lastHeartbeatNanos = nowNanos;
            out.add(m);
        }
        return out;
    }

    /** The classic members of a consumer-protocol group as members of a classic group, with their partitions. */
    static List<Member> toClassic(Collection<ModernMember> members, TopicLookup topics) {
        List<Member> out = new ArrayList<>();
        for (ModernMember m : members) {
            Member c = new Member(m.memberId, m.instanceId, m.clientId, m.clientHost, m.classic.sessionTimeoutMs(),
                    Math.max(m.rebalanceTimeoutMs, 1), new LinkedHashMap<>(m.classic.protocols()));
            c.assignment = assignment(m.assigned, topics);
            out.add(c);
        }
        return out;
    }

    /** An assignment of the classic consumer protocol as topic ids and partitions (unknown topics left out). */
    static Map<Uuid, Set<Integer>> partitions(byte[] assignment, TopicLookup topics) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        if (assignment == null || assignment.length == 0) {
            return out;
        }
        try {
            for (TopicPartition tp : ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(assignment)).partitions()) {
                Uuid id = topics.idOf(tp.topic());
                if (id != null) {
                    out.computeIfAbsent(id, t -> new TreeSet<>()).add(tp.partition());
                }
            }
        } catch (RuntimeException e) {
            return new TreeMap<>();
        }
        return out;
    }

    /** Partitions by topic id as the classic consumer protocol encodes an assignment. */
    static byte[] assignment(Map<Uuid, Set<Integer>> partitions, TopicLookup topics) {
        List<TopicPartition> list = new ArrayList<>();
        partitions.forEach((id, ps) -> {
            String name = topics.nameOf(id);
            if (name != null) {
                ps.forEach(p -> list.add(new TopicPartition(name, p)));
            }
        });
        return Utils.toArray(ConsumerProtocol.serializeAssignment(new Assignment(list)));
    }

    /** The partitions a classic member says it owns, as a heartbeat reports them. */
    static List<TopicPartitions> owned(Subscription subscription, TopicLookup topics) {
        Map<Uuid, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : subscription.ownedPartitions()) {
            Uuid id = topics.idOf(tp.topic());
            if (id != null) {
                byTopic.computeIfAbsent(id, t -> new ArrayList<>()).add(tp.partition());
            }
        }
        List<TopicPartitions> out = new ArrayList<>();
        byTopic.forEach((id, ps) -> out.add(new TopicPartitions().setTopicId(id).setPartitions(ps)));
        return out;
    }
}
