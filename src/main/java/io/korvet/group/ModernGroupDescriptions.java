package io.korvet.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * How a consumer-protocol group is described: by ConsumerGroupDescribe (each member's type, classic or consumer,
 * epochs, current and target assignments), and in the classic shape of DescribeGroups for the broker's own views.
 * Called by the group under its lock.
 */
final class ModernGroupDescriptions {

    private ModernGroupDescriptions() {
    }

    static ConsumerGroupDescribeResponseData.DescribedGroup describe(ConsumerGroupDescribeResponseData.DescribedGroup g,
            Collection<ModernMember> members, Map<String, Map<Uuid, Set<Integer>>> target, TopicLookup topics) {
        for (ModernMember m : members) {
            g.members().add(new ConsumerGroupDescribeResponseData.Member().setMemberId(m.memberId).setInstanceId(m.instanceId)
                    .setRackId(m.rackId).setMemberEpoch(m.memberEpoch).setClientId(nullToEmpty(m.clientId))
                    .setClientHost(nullToEmpty(m.clientHost)).setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames))
                    .setSubscribedTopicRegex(m.subscribedTopicRegex).setMemberType((byte) (m.classic == null ? 1 : 0))
                    .setAssignment(assignment(m.assigned, topics))
                    .setTargetAssignment(assignment(target.getOrDefault(m.memberId, Map.of()), topics)));
        }
        return g;
    }

    /** The group as DescribeGroups describes a classic one, each member's assignment in the consumer protocol's encoding. */
    static DescribeGroupsResponseData.DescribedGroup describeAsClassic(String id, String state, String assignor,
                                                                       Collection<ModernMember> members, TopicLookup topics) {
        var g = new DescribeGroupsResponseData.DescribedGroup().setGroupId(id).setGroupState(state)
                .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocolData(assignor).setErrorCode(Errors.NONE.code());
        for (ModernMember m : members) {
            // A classic member's metadata is its subscription, as it joined with it.
            byte[] metadata = m.classic == null ? new byte[0] : m.classic.protocols().get(m.classic.protocolName());
            g.members().add(new DescribeGroupsResponseData.DescribedGroupMember()
                    .setMemberId(m.memberId).setGroupInstanceId(m.instanceId).setClientId(nullToEmpty(m.clientId))
                    .setClientHost(nullToEmpty(m.clientHost)).setMemberMetadata(metadata)
                    .setMemberAssignment(GroupConversion.assignment(m.assigned, topics)));
        }
        return g;
    }

    private static ConsumerGroupDescribeResponseData.Assignment assignment(Map<Uuid, Set<Integer>> partitions, TopicLookup topics) {
        ConsumerGroupDescribeResponseData.Assignment a = new ConsumerGroupDescribeResponseData.Assignment();
        partitions.forEach((id, ps) -> {
            String name = topics.nameOf(id);
            if (name != null) {
                a.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(id).setTopicName(name)
                        .setPartitions(new ArrayList<>(ps)));
            }
        });
        return a;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
