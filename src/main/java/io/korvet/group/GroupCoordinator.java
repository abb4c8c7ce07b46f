package io.korvet.group;

import io.korvet.config.KorvetConfig.GroupSettings;
import io.korvet.storage.GroupStore;
import io.korvet.storage.GroupStore.CommittedOffset;
import io.netty.util.Timer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 * The group coordinator for classic groups: groups and their members live here (members rejoin after
 * a broker restart, as after a coordinator move in Kafka), committed offsets live in Redis.
 */
public final class GroupCoordinator {

    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    public static final String CLASSIC = "classic";

    private final GroupStore store;
    private final Timer timer;
    private final GroupSettings settings;
    private final Map<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
    /** Whether this broker coordinates a group (by id); the others are NOT_COORDINATOR here. */
    private volatile Predicate<String> coordinates = id -> true;

    /** The consumer-protocol groups (KIP-848); none until {@link #useConsumerProtocol}. */
    private volatile ModernGroups modern;
    private final LongSupplier clock;

    public GroupCoordinator(GroupStore store, Timer timer, GroupSettings settings) {
        this(store, timer, settings, System::currentTimeMillis);
    }

    public GroupCoordinator(GroupStore store, Timer timer, GroupSettings settings, LongSupplier clock) {
        this.store = store;
        this.timer = timer;
        this.settings = settings;
        this.clock = clock;
    }

    /** Coordinates consumer-protocol groups (ConsumerGroupHeartbeat) beside the classic ones. */
    public void useConsumerProtocol(ModernGroups groups) {
        this.modern = groups;
    }

    private ModernGroup modernGroup(String groupId) {
        ModernGroups m = modern;
        return m == null ? null : m.get(groupId);
    }

    /**
     * A ConsumerGroupHeartbeat. A classic group with members keeps its protocol (GROUP_ID_NOT_FOUND, as Kafka answers
     * without a migration); an empty one becomes a consumer-protocol group, its committed offsets kept.
     */
    public org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData consumerHeartbeat(
            org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData request, short version, String clientId, String host) {
        if (elsewhere(request.groupId())) {
            return new org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.NOT_COORDINATOR.code())
                    .setErrorMessage("This broker does not coordinate group " + request.groupId());
        }
        ConsumerGroup classic = request.groupId() == null ? null : groups.get(request.groupId());
        if (classic != null && !classic.isEmptyOrDead()) {
            return new org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData()
                    .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + request.groupId()
                            + " is a classic group with members; Korvet does not move a live classic group to the consumer protocol");
        }
        if (classic != null && groups.remove(request.groupId(), classic)) {
            classic.markDead();
        }
        boolean isNew = modernGroup(request.groupId()) == null;
        var response = modern.heartbeat(request, version, clientId, host);
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
        ModernGroup group = modernGroup(groupId);
        if (group == null || memberEpoch < 0) {
            return Errors.NONE;
        }
        return group.validateCommit(memberId, memberEpoch);
    }

    /** ConsumerGroupDescribe: consumer-protocol groups; a classic or unknown group is GROUP_ID_NOT_FOUND. */
    public CompletionStage<List<org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup>> consumerDescribe(
            List<String> groupIds) {
        return store.listGroups().thenApply(stored -> {
            List<org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup> out = new ArrayList<>();
            for (String id : groupIds) {
                var described = id == null || elsewhere(id) || modern == null ? null : modern.describe(id);
                if (described != null) {
                    out.add(described);
                    continue;
                }
                // A classic group, or one without live members here (its offsets are in Redis): Kafka's Admin client
                // then asks DescribeGroups, which describes it.
                Errors error = elsewhere(id) ? Errors.NOT_COORDINATOR : Errors.GROUP_ID_NOT_FOUND;
                String message = error == Errors.NOT_COORDINATOR ? "This broker does not coordinate group " + id
                        : groups.containsKey(id) || stored.containsKey(id) ? "Group " + id + " is not a consumer group."
                        : "Group " + id + " not found.";
                out.add(new org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(id)
                        .setErrorCode(error.code()).setErrorMessage(message).setGroupState("").setAssignorName(""));
            }
            return out;
        });
    }

    /**
     * From now on this broker coordinates the groups {@code coordinates} accepts: the groups it held that another
     * broker coordinates now are dropped (their offsets are in Redis; their members rejoin there).
     */
    public void coordinate(Predicate<String> coordinates) {
        this.coordinates = coordinates;
        ModernGroups m = modern;
        if (m != null) {
            m.retain(coordinates);
        }
        int moved = 0;
        for (Map.Entry<String, ConsumerGroup> e : groups.entrySet()) {
            if (!coordinates.test(e.getKey()) && groups.remove(e.getKey(), e.getValue())) {
                e.getValue().moveAway();
                moved++;
            }
        }
        if (moved > 0) {
            log.info("{} groups moved to other coordinators", moved);
        }
    }

    private boolean elsewhere(String groupId) {
        return groupId != null && !groupId.isEmpty() && !coordinates.test(groupId);
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
        if (elsewhere(groupId)) {
            return CompletableFuture.completedFuture(new JoinGroupResponseData()
                    .setErrorCode(Errors.NOT_COORDINATOR.code()).setGenerationId(-1).setMemberId(request.memberId()).setLeader(""));
        }
        if (request.sessionTimeoutMs() < settings.minSessionTimeoutMs() || request.sessionTimeoutMs() > settings.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(new JoinGroupResponseData()
                    .setErrorCode(Errors.INVALID_SESSION_TIMEOUT.code()).setGenerationId(-1).setMemberId(request.memberId()).setLeader(""));
        }
        ModernGroup modernGroup = modernGroup(groupId);
        if (modernGroup != null && !modernGroup.isEmpty()) {
            return CompletableFuture.completedFuture(new JoinGroupResponseData().setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code())
                    .setGenerationId(-1).setMemberId(request.memberId()).setLeader(""));
        }
        if (modernGroup != null) {
            modern.removeIfEmpty(groupId);
        }
        ConsumerGroup group = groups.computeIfAbsent(groupId, id -> new ConsumerGroup(id, timer, settings.initialRebalanceDelayMs(),
                clock, since -> recordEmptySince(id, since)));
        boolean wasEmpty = group.protocolType() == null;
        boolean wasEmptyState = group.state() == GroupState.EMPTY;
        CompletableFuture<JoinGroupResponseData> result = group.join(request);
        if (wasEmptyState && group.state() != GroupState.EMPTY) {
            // Members again: the group's offsets no longer age (and a restart must not find it empty since then).
            recordEmptySince(groupId, -1);
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

    public CompletableFuture<SyncGroupResponseData> sync(String groupId, String memberId, String instanceId, int generation,
                                                         String protocolType, String protocolName, Map<String, byte[]> assignments) {
        if (elsewhere(groupId)) {
            return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(Errors.NOT_COORDINATOR.code()));
        }
        ConsumerGroup group = groupId == null || groupId.isEmpty() ? null : groups.get(groupId);
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
        if (elsewhere(groupId)) {
            return Errors.NOT_COORDINATOR;
        }
        ConsumerGroup group = groups.get(groupId);
        return group == null ? Errors.UNKNOWN_MEMBER_ID : group.heartbeat(memberId, instanceId, generation);
    }

    public Errors leave(String groupId, String memberId, String instanceId, String reason) {
        if (elsewhere(groupId)) {
            return Errors.NOT_COORDINATOR;
        }
        ConsumerGroup group = groupId == null ? null : groups.get(groupId);
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
        if (elsewhere(groupId)) {
            return CompletableFuture.completedFuture(Errors.NOT_COORDINATOR);
        }
        ConsumerGroup group = groups.get(groupId);
        Errors check;
        String protocolType = group == null ? "" : group.protocolType();
        ModernGroup modernGroup = modernGroup(groupId);
        if (modernGroup != null) {
            check = modernGroup.validateCommit(memberId, generation);
            protocolType = ConsumerProtocol.PROTOCOL_TYPE;
        } else if (group == null) {
            check = generation < 0 ? Errors.NONE : Errors.ILLEGAL_GENERATION;
        } else {
            check = group.validateCommit(memberId, instanceId, generation);
        }
        if (check != Errors.NONE) {
            return CompletableFuture.completedFuture(check);
        }
        return store.commitOffsets(groupId, protocolType == null ? "" : protocolType, offsets).thenApply(v -> Errors.NONE);
    }

    public CompletionStage<Map<TopicPartition, CommittedOffset>> committed(String groupId) {
        if (elsewhere(groupId)) {
            return notCoordinator(groupId);
        }
        return store.fetchOffsets(groupId);
    }

    /** Deletes offsets of partitions the group does not consume; the others get GROUP_SUBSCRIBED_TO_TOPIC. */
    public CompletionStage<Map<TopicPartition, Errors>> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        if (elsewhere(groupId)) {
            return notCoordinator(groupId);
        }
        return exists(groupId).thenCompose(exists -> {
            if (!exists) {
                return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupIdNotFoundException(
                        "Group " + groupId + " does not exist"));
            }
            Set<String> subscribed = subscribedTopics(groupId);
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

    private Set<String> subscribedTopics(String groupId) {
        ModernGroup modernGroup = modernGroup(groupId);
        if (modernGroup != null) {
            return modernGroup.subscribedTopicNames(modern.topics());
        }
        ConsumerGroup group = groups.get(groupId);
        Set<String> topics = new HashSet<>();
        if (group == null || group.isEmptyOrDead() || !ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType())) {
            return topics;
        }
        for (byte[] metadata : group.memberMetadata()) {
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics());
            } catch (RuntimeException e) {
                log.debug("Unreadable subscription in group {}: {}", groupId, e.getMessage());
            }
        }
        return topics;
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

    // ---- Offset expiry ----

    private void recordEmptySince(String groupId, long sinceMs) {
        store.emptySince(groupId, sinceMs).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("Could not record in Redis when group {} became empty: {}", groupId, e.getMessage());
            }
        });
    }

    /** Runs {@link #expireOffsets()} every {@code offsets.retention.check.interval.ms}, until the timer stops. */
    public void startOffsetExpiry() {
        long interval = settings.offsetsRetentionCheckIntervalMs();
        try {
            timer.newTimeout(t -> expireOffsets().whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("Expiring committed offsets failed; trying again in {} ms: {}", interval, e.getMessage());
                }
                startOffsetExpiry();
            }), interval, TimeUnit.MILLISECONDS);
        } catch (IllegalStateException stopped) {
            // The broker is stopping.
        }
    }

    /**
     * One pass of offset expiry over the groups this broker coordinates, by Kafka's rule ({@link OffsetExpiry}); a
     * group that is empty and left without offsets is deleted, as Kafka deletes it.
     */
    public CompletionStage<Void> expireOffsets() {
        long now = clock.getAsLong();
        return store.listGroups().thenCombine(store.emptySince(), (stored, emptied) -> {
            List<CompletableFuture<Void>> passes = new ArrayList<>();
            stored.forEach((id, type) -> {
                if (!elsewhere(id)) {
                    passes.add(store.fetchOffsets(id).thenCompose(offsets -> expire(id, type, emptied.get(id), offsets, now))
                            .toCompletableFuture());
                }
            });
            return CompletableFuture.allOf(passes.toArray(new CompletableFuture[0]));
        }).thenCompose(all -> all);
    }

    private CompletionStage<Void> expire(String id, String storedType, Long storedEmptySince,
                                         Map<TopicPartition, CommittedOffset> offsets, long now) {
        ConsumerGroup group = groups.get(id);
        ModernGroup modernGroup = modernGroup(id);
        boolean modernActive = modernGroup != null && !modernGroup.isEmpty();
        boolean active = group != null && !group.isEmptyOrDead() || modernActive;
        OffsetExpiry rule;
        if (modernActive) {
            // As Kafka's consumer groups: offsets of subscribed topics stay, the others age from their commit.
            rule = OffsetExpiry.fromCommits(modernGroup.subscribedTopicNames(modern.topics()));
        } else if (active) {
            rule = group.state() == GroupState.STABLE && ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType())
                    ? OffsetExpiry.fromCommits(subscribedTopics(id)) : OffsetExpiry.NEVER;
        } else if (storedType == null || storedType.isEmpty()) {
            rule = OffsetExpiry.fromCommits(Set.of());
        } else {
            long since = group != null ? group.emptySinceMs() : -1;
            if (since < 0 && storedEmptySince != null) {
                since = storedEmptySince;
            }
            if (since < 0) {
                // Empty since before this broker held it, and not recorded: its offsets age from now.
                since = now;
                if (!offsets.isEmpty()) {
                    recordEmptySince(id, since);
                }
            }
            rule = OffsetExpiry.emptySince(since);
        }
        Map<TopicPartition, CommittedOffset> expired = rule.expired(offsets, now, settings.offsetsRetentionMs());
        if (expired.isEmpty() && (active || !offsets.isEmpty())) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Long> left = expired.isEmpty() ? CompletableFuture.completedFuture((long) offsets.size())
                : store.expireOffsets(id, expired);
        return left.thenCompose(remaining -> {
            if (!expired.isEmpty()) {
                log.info("Expired the committed offsets of group {} for {}", id, expired.keySet());
            }
            ConsumerGroup current = groups.get(id);
            if (remaining > 0 || active || (current != null && !current.isEmptyOrDead())) {
                return CompletableFuture.completedFuture(null);
            }
            if (current != null && groups.remove(id, current)) {
                current.markDead();
            }
            log.info("Deleted group {}: empty, with no committed offsets left", id);
            return store.deleteGroup(id);
        });
    }

    // ---- Describe, list, delete ----

    public CompletionStage<List<DescribedGroup>> describe(List<String> groupIds, boolean notFoundIsError) {
        return store.listGroups().thenApply(stored -> {
            List<DescribedGroup> out = new ArrayList<>();
            for (String id : groupIds) {
                ConsumerGroup group = groups.get(id);
                ModernGroup modernGroup = modernGroup(id);
                if (modernGroup != null && !modernGroup.isEmpty()) {
                    // Not a classic group: Kafka's Admin client describes it with ConsumerGroupDescribe.
                    DescribedGroup other = new DescribedGroup().setGroupId(id).setGroupState(GroupState.DEAD.kafkaName())
                            .setProtocolType("").setProtocolData("").setErrorCode(Errors.NONE.code());
                    if (notFoundIsError) {
                        other.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " is not a classic group.");
                    }
                    out.add(other);
                } else if (id == null || id.isEmpty() || elsewhere(id)) {
                    Errors error = elsewhere(id) ? Errors.NOT_COORDINATOR : Errors.INVALID_GROUP_ID;
                    out.add(new DescribedGroup().setGroupId(id).setErrorCode(error.code())
                            .setGroupState(GroupState.DEAD.kafkaName()).setProtocolType("").setProtocolData(""));
                } else if (group != null && group.state() != GroupState.DEAD) {
                    out.add(group.describe());
                } else if (stored.containsKey(id)) {
                    out.add(new DescribedGroup().setGroupId(id).setErrorCode(Errors.NONE.code())
                            .setGroupState(GroupState.EMPTY.kafkaName()).setProtocolType(stored.get(id)).setProtocolData(""));
                } else {
                    DescribedGroup dead = new DescribedGroup().setGroupId(id).setGroupState(GroupState.DEAD.kafkaName())
                            .setProtocolType("").setProtocolData("").setErrorCode(Errors.NONE.code());
                    if (notFoundIsError) {
                        dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " not found.");
                    }
                    out.add(dead);
                }
            }
            return out;
        });
    }

    /**
     * Every group as DescribeGroups describes a classic one, consumer-protocol groups included (their members'
     * assignments encoded as the classic consumer protocol does): for the broker's own views, the admin API and the
     * metrics.
     */
    public CompletionStage<List<DescribedGroup>> describeAny(List<String> groupIds) {
        List<String> classic = new ArrayList<>();
        for (String id : groupIds) {
            ModernGroup m = modernGroup(id);
            if (m == null || m.isEmpty()) {
                classic.add(id);
            }
        }
        return describe(classic, false).thenApply(described -> {
            Map<String, DescribedGroup> byId = new java.util.HashMap<>();
            described.forEach(d -> byId.put(d.groupId(), d));
            List<DescribedGroup> out = new ArrayList<>();
            for (String id : groupIds) {
                ModernGroup m = modernGroup(id);
                out.add(m == null || m.isEmpty() ? byId.get(id) : m.describeAsClassic(id, modern.topics()));
            }
            return out;
        });
    }

    public CompletionStage<List<ListedGroup>> list(List<String> statesFilter, List<String> typesFilter) {
        Set<String> states = new HashSet<>();
        statesFilter.forEach(s -> states.add(s.toLowerCase(Locale.ROOT)));
        Set<String> types = new HashSet<>();
        typesFilter.forEach(t -> types.add(t.toLowerCase(Locale.ROOT)));
        Predicate<String> stateOk = s -> states.isEmpty() || states.contains(s.toLowerCase(Locale.ROOT));
        boolean typeOk = types.isEmpty() || types.contains(CLASSIC);
        boolean consumerTypeOk = types.isEmpty() || types.contains(ModernGroup.TYPE);
        return store.listGroups().thenApply(stored -> {
            Map<String, ListedGroup> out = new TreeMap<>();
            ModernGroups m = modern;
            if (m != null) {
                m.all().forEach((id, g) -> {
                    String state = g.state();
                    if (consumerTypeOk && stateOk.test(state)) {
                        out.put(id, new ListedGroup().setGroupId(id).setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
                                .setGroupState(state).setGroupType(ModernGroup.TYPE));
                    }
                });
            }
            if (!typeOk) {
                return new ArrayList<>(out.values());
            }
            stored.forEach((id, type) -> {
                // Each broker lists the groups it coordinates; Kafka's Admin client asks every broker.
                if (!elsewhere(id) && !out.containsKey(id) && stateOk.test(GroupState.EMPTY.kafkaName())) {
                    out.put(id, listed(id, type, GroupState.EMPTY));
                }
            });
            groups.forEach((id, group) -> {
                GroupState state = group.state();
                if (state == GroupState.DEAD) {
                    return;
                }
                if (stateOk.test(state.kafkaName())) {
                    out.put(id, listed(id, group.protocolType(), state));
                } else {
                    out.remove(id);
                }
            });
            return new ArrayList<>(out.values());
        });
    }

    private static ListedGroup listed(String id, String type, GroupState state) {
        return new ListedGroup().setGroupId(id).setProtocolType(type == null ? "" : type)
                .setGroupState(state.kafkaName()).setGroupType(CLASSIC);
    }

    /** Deletes a group without members and its offsets. */
    public CompletionStage<Errors> delete(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID);
        }
        if (elsewhere(groupId)) {
            return CompletableFuture.completedFuture(Errors.NOT_COORDINATOR);
        }
        ConsumerGroup group = groups.get(groupId);
        if (group != null && !group.isEmptyOrDead() || modern != null && !modern.removeIfEmpty(groupId)) {
            return CompletableFuture.completedFuture(Errors.NON_EMPTY_GROUP);
        }
        return exists(groupId).thenCompose(exists -> {
            if (!exists) {
                return CompletableFuture.completedFuture(Errors.GROUP_ID_NOT_FOUND);
            }
            ConsumerGroup removed = groups.remove(groupId);
            if (removed != null) {
                removed.markDead();
            }
            log.info("Deleted group {}", groupId);
            return store.deleteGroup(groupId).thenApply(v -> Errors.NONE);
        });
    }

    private CompletionStage<Boolean> exists(String groupId) {
        ConsumerGroup group = groups.get(groupId);
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
