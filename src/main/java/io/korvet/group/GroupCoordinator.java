package io.korvet.group;

import io.korvet.config.KorvetConfig.GroupSettings;
import io.korvet.storage.GroupStore;
import io.korvet.storage.GroupStore.CommittedOffset;
import io.netty.util.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator: classic groups (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and consumer-protocol groups
 * (ConsumerGroupHeartbeat), their offset commits and fetches, deletions. Groups and their members live here (members
 * rejoin after a broker restart, as after a coordinator move in Kafka), committed offsets live in Redis. Listing and
 * describing are {@link GroupListings}', offset expiry {@link OffsetRetention}'s.
 */
public final class GroupCoordinator {

    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    public static final String CLASSIC = "classic";

    private final GroupStore store;
    private final Timer timer;
    private final GroupSettings settings;
    private final CoordinatedGroups registry = new CoordinatedGroups();
    private final GroupListings listings;
    private final OffsetRetention retention;
    private final LongSupplier clock;
    private final GroupMigration migration = new GroupMigration(registry, this::newClassicGroup);
    /** The classic members of consumer-protocol groups (groups being migrated); none until {@link #useConsumerProtocol}. */
    private volatile ClassicMembership classicMembers;

    public GroupCoordinator(GroupStore store, Timer timer, GroupSettings settings) {
        this(store, timer, settings, System::currentTimeMillis);
    }

    public GroupCoordinator(GroupStore store, Timer timer, GroupSettings settings, LongSupplier clock) {
        this.store = store;
        this.timer = timer;
        this.settings = settings;
        this.clock = clock;
        this.listings = new GroupListings(store, registry);
        this.retention = new OffsetRetention(store, settings, timer, clock, registry);
    }

    /** Coordinates consumer-protocol groups (ConsumerGroupHeartbeat) beside the classic ones. */
    public void useConsumerProtocol(ModernGroups groups) {
        registry.useConsumerProtocol(groups);
        classicMembers = new ClassicMembership(groups.topics());
        migration.watch(groups);
    }

    /** Coordinates share groups (KIP-932) beside the others; returns their side of the coordinator. */
    public ShareCoordination useShareGroups(io.korvet.group.share.ShareGroups groups, io.korvet.group.share.SharePartitions partitions,
                                            io.korvet.log.FollowerReads logOffsets) {
        ShareCoordination share = new ShareCoordination(store, registry, groups, partitions, logOffsets);
        registry.useShareGroups(share);
        return share;
    }

    /** The share groups' side of the coordinator, or null when there is none. */
    public ShareCoordination share() {
        return registry.share();
    }

    /**
     * From now on this broker coordinates the groups {@code coordinates} accepts: the groups it held that another
     * broker coordinates now are dropped (their offsets are in Redis; their members rejoin there).
     */
    public void coordinate(Predicate<String> coordinates) {
        registry.coordinate(coordinates);
    }

    /** Runs the committed-offset expiry every {@code offsets.retention.check.interval.ms}, until the timer stops. */
    public void startOffsetExpiry() {
        retention.start();
    }

    /** One pass of committed-offset expiry ({@link OffsetRetention}). */
    public CompletionStage<Void> expireOffsets() {
        return retention.expireOffsets();
    }

    /** ConsumerGroupDescribe ({@link GroupListings}). */
    public CompletionStage<List<org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup>> consumerDescribe(
            List<String> groupIds) {
        return listings.consumerDescribe(groupIds);
    }

    /** DescribeGroups ({@link GroupListings}). */
    public CompletionStage<List<DescribedGroup>> describe(List<String> groupIds, boolean notFoundIsError) {
        return listings.describe(groupIds, notFoundIsError);
    }

    /** Every group, consumer-protocol ones included, as DescribeGroups describes a classic one ({@link GroupListings}). */
    public CompletionStage<List<DescribedGroup>> describeAny(List<String> groupIds) {
        return listings.describeAny(groupIds);
    }

    /** ListGroups ({@link GroupListings}). */
    public CompletionStage<List<ListedGroup>> list(List<String> statesFilter, List<String> typesFilter) {
        return listings.list(statesFilter, typesFilter);
    }

    /**
     * A ConsumerGroupHeartbeat. A classic group with members moves to the consumer protocol when the migration policy
     * allows it ({@link GroupMigration}; GROUP_ID_NOT_FOUND otherwise, as Kafka answers); an empty one becomes a
     * consumer-protocol group, its committed offsets kept.
     */
    public org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData consumerHeartbeat(
            org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData request, short version, String clientId, String host,
            Predicate<String> visibleTopics) {
        if (registry.elsewhere(request.groupId())) {
            return new org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.NOT_COORDINATOR.code())
                    .setErrorMessage("This broker does not coordinate group " + request.groupId());
        }
        boolean isNew;
        org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData response;
        // One group id, one protocol: deciding it and joining are one step for both protocols (see join).
        synchronized (registry) {
            ConsumerGroup classic = request.groupId() == null ? null : registry.classic.get(request.groupId());
            String refusal = classic == null || classic.isEmptyOrDead() ? null : request.memberEpoch() != 0
                    ? "Group " + request.groupId() + " is a classic group" : migration.upgrade(request.groupId(), classic);
            if (refusal != null) {
                return new org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData()
                        .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(refusal);
            }
            if (classic != null && registry.classic.remove(request.groupId(), classic)) {
                classic.markDead();
            }
            isNew = registry.modern(request.groupId()) == null;
            response = registry.modern().heartbeat(request, version, clientId, host, visibleTopics);
        }
        if (isNew && response.errorCode() == Errors.NONE.code() && request.memberEpoch() == 0) {
            store.commitOffsets(request.groupId(), ConsumerProtocol.PROTOCOL_TYPE, Map.of()).whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("Could not record group {} in Redis: {}", request.groupId(), e.getMessage());
                }
            });
        }
        return response;
    }

    /**
     * An OffsetFetch naming a member (v9+): in a consumer-protocol group it must be a member at its current epoch
     * (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH otherwise); without a member (epoch -1) anyone may fetch.
     */
    public Errors validateOffsetFetch(String groupId, String memberId, int memberEpoch) {
        ModernGroup group = registry.modern(groupId);
        if (group == null || memberEpoch < 0) {
            return Errors.NONE;
        }
        return group.validateCommit(memberId, memberEpoch);
    }

    private static <T> CompletableFuture<T> notCoordinator(String groupId) {
        return CompletableFuture.failedFuture(new NotCoordinatorException("This broker does not coordinate group " + groupId));
    }

    /** A JoinGroup, after the checks that need no group. */
    public CompletableFuture<JoinGroupResponseData> join(String groupId, ConsumerGroup.JoinRequest request) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(new JoinGroupResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()).setGenerationId(-1).setMemberId(request.memberId()).setLeader(""));
        }
        if (registry.elsewhere(groupId)) {
            return CompletableFuture.completedFuture(new JoinGroupResponseData()
                    .setErrorCode(Errors.NOT_COORDINATOR.code()).setGenerationId(-1).setMemberId(request.memberId()).setLeader(""));
        }
        if (request.sessionTimeoutMs() < settings.minSessionTimeoutMs() || request.sessionTimeoutMs() > settings.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(new JoinGroupResponseData()
                    .setErrorCode(Errors.INVALID_SESSION_TIMEOUT.code()).setGenerationId(-1).setMemberId(request.memberId()).setLeader(""));
        }
        ConsumerGroup group;
        boolean wasEmpty;
        boolean wasEmptyState;
        CompletableFuture<JoinGroupResponseData> result;
        // One group id, one protocol (see consumerHeartbeat): a consumer-protocol group with members refuses classic
        // members, an empty one gives way to a classic group.
        synchronized (registry) {
            ModernGroup modernGroup = registry.modern(groupId);
            if (modernGroup != null && !registry.modern().removeIfEmpty(groupId)) {
                // A classic member of a consumer-protocol group (one being migrated).
                return classicMembers.join(modernGroup, groupId, request);
            }
            group = registry.classic.computeIfAbsent(groupId, this::newClassicGroup);
            wasEmpty = group.protocolType() == null;
            wasEmptyState = group.state() == GroupState.EMPTY;
            result = group.join(request);
        }
        if (wasEmptyState && group.state() != GroupState.EMPTY) {
            // Members again: the group's offsets no longer age (and a restart must not find it empty since then).
            retention.recordEmptySince(groupId, -1);
        }
        if (wasEmpty && group.protocolType() != null) {
            // Record the group, so that it is listed (as Empty) after a restart.
            store.commitOffsets(groupId, group.protocolType(), Map.of()).whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("Could not record group {} in Redis: {}", groupId, e.getMessage());
                }
            });
        }
        return result;
    }

    private ConsumerGroup newClassicGroup(String id) {
        return new ConsumerGroup(id, timer, settings.initialRebalanceDelayMs(), clock, since -> retention.recordEmptySince(id, since));
    }

    /** The consumer-protocol group with members of that id, whose classic members the classic APIs serve; or null. */
    private ModernGroup migrating(String groupId) {
        ModernGroup g = groupId == null ? null : registry.modern(groupId);
        return g == null || g.isEmpty() ? null : g;
    }

    public CompletableFuture<SyncGroupResponseData> sync(String groupId, String memberId, String instanceId, int generation,
                                                         String protocolType, String protocolName, Map<String, byte[]> assignments) {
        if (registry.elsewhere(groupId)) {
            return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(Errors.NOT_COORDINATOR.code()));
        }
        synchronized (registry) {
            ModernGroup migrating = migrating(groupId);
            if (migrating != null) {
                return classicMembers.sync(migrating, memberId, instanceId, generation, protocolType, protocolName);
            }
        }
        ConsumerGroup group = groupId == null || groupId.isEmpty() ? null : registry.classic.get(groupId);
        if (group == null) {
            Errors error = groupId == null || groupId.isEmpty() ? Errors.INVALID_GROUP_ID : Errors.UNKNOWN_MEMBER_ID;
            return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(error.code()));
        }
        return group.sync(memberId, instanceId, generation, protocolType, protocolName, assignments);
    }

    public Errors heartbeat(String groupId, String memberId, String instanceId, int generation) {
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        if (registry.elsewhere(groupId)) {
            return Errors.NOT_COORDINATOR;
        }
        synchronized (registry) {
            ModernGroup migrating = migrating(groupId);
            if (migrating != null) {
                return classicMembers.heartbeat(migrating, memberId, instanceId, generation);
            }
        }
        ConsumerGroup group = registry.classic.get(groupId);
        return group == null ? Errors.UNKNOWN_MEMBER_ID : group.heartbeat(memberId, instanceId, generation);
    }

    public Errors leave(String groupId, String memberId, String instanceId, String reason) {
        if (registry.elsewhere(groupId)) {
            return Errors.NOT_COORDINATOR;
        }
        synchronized (registry) {
            ModernGroup migrating = migrating(groupId);
            if (migrating != null) {
                return classicMembers.leave(migrating, groupId, memberId, instanceId);
            }
        }
        ConsumerGroup group = groupId == null ? null : registry.classic.get(groupId);
        return group == null ? Errors.UNKNOWN_MEMBER_ID : group.leave(memberId, instanceId, reason);
    }

    // ---- Offsets ----

    /**
     * Commits offsets for a group member (or, with generation -1, for a group without members, as
     * consumers using assign() do). Completes with the error for every partition (NONE when committed).
     */
    public CompletionStage<Errors> commit(String groupId, String memberId, String instanceId, int generation,
                                          Map<TopicPartition, CommittedOffset> offsets) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID);
        }
        Errors check = validateCommit(groupId, memberId, instanceId, generation);
        if (check != Errors.NONE) {
            return CompletableFuture.completedFuture(check);
        }
        ConsumerGroup group = registry.classic.get(groupId);
        String protocolType = registry.modern(groupId) != null ? ConsumerProtocol.PROTOCOL_TYPE
                : group == null ? "" : group.protocolType();
        return store.commitOffsets(groupId, protocolType == null ? "" : protocolType, offsets).thenApply(v -> Errors.NONE);
    }

    /**
     * Whether a member may commit offsets for the group (here or, for TxnOffsetCommit, in a transaction, KIP-447):
     * NOT_COORDINATOR, the member and generation checks of the group's protocol, or NONE.
     */
    public Errors validateCommit(String groupId, String memberId, String instanceId, int generation) {
        if (registry.elsewhere(groupId)) {
            return Errors.NOT_COORDINATOR;
        }
        ConsumerGroup group = registry.classic.get(groupId);
        ModernGroup modernGroup = registry.modern(groupId);
        if (modernGroup != null) {
            return modernGroup.validateCommit(memberId, generation);
        }
        if (group == null) {
            return generation < 0 ? Errors.NONE : Errors.ILLEGAL_GENERATION;
        }
        return group.validateCommit(memberId, instanceId, generation);
    }

    public CompletionStage<Map<TopicPartition, CommittedOffset>> committed(String groupId) {
        if (registry.elsewhere(groupId)) {
            return notCoordinator(groupId);
        }
        return store.fetchOffsets(groupId);
    }

    /** Deletes offsets of partitions the group does not consume; the others get GROUP_SUBSCRIBED_TO_TOPIC. */
    public CompletionStage<Map<TopicPartition, Errors>> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        if (registry.elsewhere(groupId)) {
            return notCoordinator(groupId);
        }
        return exists(groupId).thenCompose(exists -> {
            if (!exists) {
                return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupIdNotFoundException(
                        "Group " + groupId + " does not exist"));
            }
            Set<String> subscribed = registry.subscribedTopics(groupId);
            Map<TopicPartition, Errors> result = new LinkedHashMap<>();
            List<TopicPartition> deletable = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (subscribed.contains(tp.topic())) {
                    result.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
                } else {
                    result.put(tp, Errors.NONE);
                    deletable.add(tp);
                }
            }
            return store.deleteOffsets(groupId, deletable).thenApply(v -> result);
        });
    }

    /** Forgets every group's committed offsets for a deleted topic, as Kafka does. */
    public CompletionStage<Void> forgetTopic(String topic) {
        return store.listGroups().thenCompose(all -> {
            List<CompletableFuture<Void>> deletions = new ArrayList<>();
            for (String groupId : all.keySet()) {
                deletions.add(store.fetchOffsets(groupId).thenCompose(offsets -> store.deleteOffsets(groupId,
                        offsets.keySet().stream().filter(tp -> tp.topic().equals(topic)).toList())).toCompletableFuture());
            }
            return CompletableFuture.allOf(deletions.toArray(new CompletableFuture[0]));
        });
    }

    /** Deletes a group without members and its offsets. */
    public CompletionStage<Errors> delete(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID);
        }
        if (registry.elsewhere(groupId)) {
            return CompletableFuture.completedFuture(Errors.NOT_COORDINATOR);
        }
        ConsumerGroup group = registry.classic.get(groupId);
        if (group != null && !group.isEmptyOrDead() || registry.modern() != null && !registry.modern().removeIfEmpty(groupId)
                || registry.share() != null && registry.share().groups().hasMembers(groupId)) {
            return CompletableFuture.completedFuture(Errors.NON_EMPTY_GROUP);
        }
        return exists(groupId).thenCompose(exists -> {
            if (!exists) {
                return CompletableFuture.completedFuture(Errors.GROUP_ID_NOT_FOUND);
            }
            ConsumerGroup removed = registry.classic.remove(groupId);
            if (removed != null) {
                removed.markDead();
            }
            log.info("Deleted group {}", groupId);
            CompletionStage<Void> shareState = registry.share() == null ? CompletableFuture.completedFuture(null)
                    : registry.share().deleteState(groupId);
            return shareState.thenCompose(v -> store.deleteGroup(groupId)).thenApply(v -> Errors.NONE);
        });
    }

    private CompletionStage<Boolean> exists(String groupId) {
        ConsumerGroup group = registry.classic.get(groupId);
        if (group != null && group.state() != GroupState.DEAD) {
            return CompletableFuture.completedFuture(true);
        }
        return store.listGroups().thenCompose(stored -> stored.containsKey(groupId)
                ? CompletableFuture.completedFuture(true)
                : store.fetchOffsets(groupId).thenApply(offsets -> !offsets.isEmpty()));
    }

    public GroupSettings settings() {
        return settings;
    }
}
