package io.korvet.group;

import static io.korvet.group.ClassicResponses.joinError;
import static io.korvet.group.ClassicResponses.syncError;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic protocol's members of a consumer-protocol group (a group being migrated, KIP-848), as Kafka serves them:
 * a JoinGroup carries the member's subscription and owned partitions and reconciles it towards the target the
 * server-side assignor computed (revoking first); its generation is its member epoch; SyncGroup hands it its current
 * partitions; a Heartbeat answers REBALANCE_IN_PROGRESS when it must rejoin to move on (a newer group epoch,
 * partitions to give up, or partitions it waited for that are free now). Every call holds the group's lock.
 */
final class ClassicMembership {

    private static final Logger log = LoggerFactory.getLogger(ClassicMembership.class);

    private final TopicLookup topics;

    ClassicMembership(TopicLookup topics) {
        this.topics = topics;
    }

    CompletableFuture<JoinGroupResponseData> join(ModernGroup group, String groupId, ConsumerGroup.JoinRequest r) {
        Subscription subscription = GroupConversion.subscription(r.protocols());
        if (!ConsumerProtocol.PROTOCOL_TYPE.equals(r.protocolType()) || subscription == null) {
            return joinError(r.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        synchronized (group) {
            if (!sharesAProtocol(group, r)) {
                return joinError(r.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL);
            }
            String memberId = r.memberId();
            if (memberId.isEmpty()) {
                memberId = (r.clientId() == null ? "" : r.clientId()) + "-" + UUID.randomUUID();
                if (r.groupInstanceId() == null && r.requireKnownMemberId()) {
                    return joinError(memberId, Errors.MEMBER_ID_REQUIRED);
                }
            }
            ModernMember member = group.members().get(memberId);
            ModernMember previous = r.groupInstanceId() == null ? null : staticMember(group, r.groupInstanceId());
            if (member == null && previous != null) {
                // A static member back under a new id takes its predecessor's place.
                group.members().remove(previous.memberId);
                member = previous.takenOverBy(memberId);
                group.retarget(previous.memberId, memberId);
            } else if (member != null && member.classic == null) {
                return joinError(memberId, Errors.UNKNOWN_MEMBER_ID);
            }
            boolean changed = false;
            if (member == null) {
                member = new ModernMember(memberId);
                changed = true;
                log.info("Classic member {} joins consumer-protocol group {}", memberId, groupId);
            }
            group.members().put(memberId, member);
            member.rejoinAskedNanos = 0;
            member.classic = new ModernMember.Classic(r.sessionTimeoutMs(), r.protocols());
            member.instanceId = r.groupInstanceId();
            member.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
            member.lastHeartbeatNanos = System.nanoTime();
            member.rackId = subscription.rackId().orElse(member.rackId);
            if (!subscription.topics().equals(member.subscribedTopicNames)) {
                member.subscribedTopicNames = java.util.List.copyOf(subscription.topics());
                member.resolved = null;
                changed = true;
            }
            group.refresh(changed, topics);
            group.reconcile(member, GroupConversion.owned(subscription, topics), topics);
            return CompletableFuture.completedFuture(new JoinGroupResponseData().setErrorCode(Errors.NONE.code())
                    .setMemberId(memberId).setGenerationId(member.memberEpoch).setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
                    .setProtocolName(member.classic.protocolName()).setLeader(""));
        }
    }

    CompletableFuture<SyncGroupResponseData> sync(ModernGroup group, String memberId, String instanceId, int generation,
                                                  String type, String protocol) {
        synchronized (group) {
            ModernMember member = member(group, memberId, instanceId);
            Errors error = check(member, memberId, instanceId, generation);
            if (error != Errors.NONE) {
                return syncError(error);
            }
            if ((type != null && !type.equals(ConsumerProtocol.PROTOCOL_TYPE))
                    || (protocol != null && !protocol.equals(member.classic.protocolName()))) {
                return syncError(Errors.INCONSISTENT_GROUP_PROTOCOL);
            }
            if (group.groupEpoch() > member.memberEpoch && member.state != ModernMember.State.UNREVOKED_PARTITIONS) {
                return syncError(askToRejoin(member));
            }
            member.lastHeartbeatNanos = System.nanoTime();
            return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(Errors.NONE.code())
                    .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocolName(member.classic.protocolName())
                    .setAssignment(GroupConversion.assignment(member.assigned, topics)));
        }
    }

    Errors heartbeat(ModernGroup group, String memberId, String instanceId, int generation) {
        synchronized (group) {
            ModernMember member = member(group, memberId, instanceId);
            Errors error = check(member, memberId, instanceId, generation);
            if (error != Errors.NONE) {
                return error;
            }
            member.lastHeartbeatNanos = System.nanoTime();
            boolean rejoin = member.memberEpoch < group.groupEpoch() || member.state == ModernMember.State.UNREVOKED_PARTITIONS
                    || (member.state == ModernMember.State.UNRELEASED_PARTITIONS && !group.waitsOnUnreleased(member));
            return rejoin ? askToRejoin(member) : Errors.NONE;
        }
    }

    Errors leave(ModernGroup group, String groupId, String memberId, String instanceId) {
        synchronized (group) {
            ModernMember member = member(group, memberId, instanceId);
            if (member == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (instanceId != null && memberId != null && !memberId.isEmpty() && !memberId.equals(member.memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            log.info("Classic member {} leaves consumer-protocol group {}", member.memberId, groupId);
            group.leave(member.memberId, -1, topics);
            return Errors.NONE;
        }
    }

    /** REBALANCE_IN_PROGRESS, and from the first time on, the member's rebalance timeout runs until it rejoins. */
    private static Errors askToRejoin(ModernMember member) {
        if (member.rejoinAskedNanos == 0) {
            member.rejoinAskedNanos = System.nanoTime();
        }
        return Errors.REBALANCE_IN_PROGRESS;
    }

    /** The member a request names: by its instance id when it has one, else by its member id. */
    private static ModernMember member(ModernGroup group, String memberId, String instanceId) {
        return instanceId != null ? staticMember(group, instanceId) : memberId == null ? null : group.members().get(memberId);
    }

    private static Errors check(ModernMember member, String memberId, String instanceId, int generation) {
        if (member == null || member.classic == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (instanceId != null && !member.memberId.equals(memberId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        return generation == member.memberEpoch ? Errors.NONE : Errors.ILLEGAL_GENERATION;
    }

    private static ModernMember staticMember(ModernGroup group, String instanceId) {
        for (ModernMember m : group.members().values()) {
            if (instanceId.equals(m.instanceId)) {
                return m;
            }
        }
        return null;
    }

    /** A classic member must share a protocol with every other classic member, as in a classic group. */
    private static boolean sharesAProtocol(ModernGroup group, ConsumerGroup.JoinRequest r) {
        for (ModernMember m : group.members().values()) {
            if (m.classic != null && !m.memberId.equals(r.memberId())
                    && m.classic.protocols().keySet().stream().noneMatch(r.protocols()::containsKey)) {
                return false;
            }
        }
        return true;
    }
}
