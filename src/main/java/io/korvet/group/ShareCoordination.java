package io.korvet.group;

import io.korvet.group.share.ShareGroups;
import io.korvet.group.share.SharePartitions;
import io.korvet.log.FollowerReads;
import io.korvet.storage.GroupStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's side of share groups (KIP-932): ShareGroupHeartbeat and ShareGroupDescribe for the groups this
 * broker coordinates, one protocol per group id, the groups recorded in Redis (type {@code share}) so that they are
 * listed after a restart, and the admin APIs on their share partitions' start offsets (describe, alter, delete).
 */
public final class ShareCoordination {

    private static final Logger log = LoggerFactory.getLogger(ShareCoordination.class);

    /** A share partition's start offset and lag, or the error that answers it. */
    public record PartitionOffsets(long startOffset, long lag, Errors error) {
    }

    private final GroupStore store;
    private final CoordinatedGroups registry;
    private final ShareGroups groups;
    private final SharePartitions partitions;
    private final FollowerReads logOffsets;

    ShareCoordination(GroupStore store, CoordinatedGroups registry, ShareGroups groups, SharePartitions partitions, FollowerReads logOffsets) {
        this.store = store;
        this.registry = registry;
        this.groups = groups;
        this.partitions = partitions;
        this.logOffsets = logOffsets;
    }

    public SharePartitions partitions() {
        return partitions;
    }

    public ShareGroups groups() {
        return groups;
    }

    public ShareGroupHeartbeatResponseData heartbeat(ShareGroupHeartbeatRequestData req, String clientId, String host) {
        if (registry.elsewhere(req.groupId())) {
            return new ShareGroupHeartbeatResponseData().setErrorCode(Errors.NOT_COORDINATOR.code())
                    .setErrorMessage("This broker does not coordinate group " + req.groupId());
        }
        boolean isNew;
        ShareGroupHeartbeatResponseData response;
        synchronized (registry) {
            ConsumerGroup classic = req.groupId() == null ? null : registry.classic.get(req.groupId());
            ModernGroup modern = registry.modern(req.groupId());
            if (classic != null && !classic.isEmptyOrDead() || modern != null && !modern.isEmpty()) {
                return new ShareGroupHeartbeatResponseData().setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                        .setErrorMessage("Group " + req.groupId() + " is not a share group.");
            }
            isNew = !groups.knows(req.groupId());
            response = groups.heartbeat(req, clientId, host);
        }
        if (isNew && response.errorCode() == Errors.NONE.code() && req.memberEpoch() == 0) {
            store.commitOffsets(req.groupId(), ShareGroups.TYPE, Map.of()).whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("Could not record share group {} in Redis: {}", req.groupId(), e.getMessage());
                }
            });
        }
        return response;
    }

    /** ShareGroupDescribe: live groups with their members, recorded ones Empty, others GROUP_ID_NOT_FOUND. */
    public CompletionStage<List<DescribedGroup>> describe(List<String> groupIds) {
        return store.listGroups().thenApply(stored -> {
            List<DescribedGroup> out = new ArrayList<>();
            for (String id : groupIds) {
                DescribedGroup live = id == null || registry.elsewhere(id) ? null : groups.describe(id);
                if (live != null) {
                    out.add(live);
                } else if (registry.elsewhere(id)) {
                    out.add(failed(id, Errors.NOT_COORDINATOR, "This broker does not coordinate group " + id));
                } else if (ShareGroups.TYPE.equals(stored.get(id))) {
                    out.add(new DescribedGroup().setGroupId(id).setGroupState("Empty").setAssignorName("simple"));
                } else {
                    boolean other = stored.containsKey(id) || registry.classic.containsKey(id) || registry.modern(id) != null;
                    out.add(failed(id, Errors.GROUP_ID_NOT_FOUND, other ? "Group " + id + " is not a share group." : "Group " + id + " not found."));
                }
            }
            return out;
        });
    }

    private static DescribedGroup failed(String id, Errors error, String message) {
        return new DescribedGroup().setGroupId(id).setErrorCode(error.code()).setErrorMessage(message).setGroupState("").setAssignorName("");
    }

    /** Whether the group is a share group here or in Redis; fails NOT_COORDINATOR or GROUP_ID_NOT_FOUND. */
    private CompletionStage<Void> checkShareGroup(String groupId) {
        if (registry.elsewhere(groupId)) {
            return CompletableFuture.failedFuture(new NotCoordinatorException("This broker does not coordinate group " + groupId));
        }
        if (groups.knows(groupId)) {
            return CompletableFuture.completedFuture(null);
        }
        return store.listGroups().thenCompose(stored -> ShareGroups.TYPE.equals(stored.get(groupId))
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new GroupIdNotFoundException("Group " + groupId + " is not a share group.")));
    }

    /** DescribeShareGroupOffsets: each share partition's start offset and lag; {@code wanted} null for all the group has. */
    public CompletionStage<Map<TopicPartition, PartitionOffsets>> describeOffsets(String groupId, List<TopicPartition> wanted) {
        return checkShareGroup(groupId).thenCompose(v -> wanted != null ? CompletableFuture.completedFuture(Set.copyOf(wanted))
                : partitions.store().partitions(groupId)).thenCompose(tps -> {
                    Map<TopicPartition, CompletableFuture<PartitionOffsets>> each = new LinkedHashMap<>();
                    for (TopicPartition tp : tps) {
                        each.put(tp, partitions.offsets(groupId, tp).thenCompose(o -> o == null
                                ? CompletableFuture.completedFuture(new PartitionOffsets(-1, -1, Errors.NONE))
                                : logOffsets.offsets(tp).thenApply(log -> new PartitionOffsets(o[0],
                                        Math.max(0, log.highWatermark() - o[0] - o[1]), Errors.NONE)))
                                .exceptionally(e -> new PartitionOffsets(-1, -1, io.korvet.dispatch.ErrorMapper.toError(e)))
                                .toCompletableFuture());
                    }
                    return CompletableFuture.allOf(each.values().toArray(new CompletableFuture[0])).thenApply(x -> {
                        Map<TopicPartition, PartitionOffsets> out = new LinkedHashMap<>();
                        each.forEach((tp, f) -> out.put(tp, f.join()));
                        return out;
                    });
                });
    }

    /** AlterShareGroupOffsets: only for a group without members (NON_EMPTY_GROUP); each partition starts over there. */
    public CompletionStage<Void> alterOffsets(String groupId, Map<TopicPartition, Long> offsets) {
        if (groups.hasMembers(groupId)) {
            return CompletableFuture.failedFuture(new GroupNotEmptyException("The group " + groupId + " has active members."));
        }
        return checkShareGroup(groupId).exceptionallyCompose(e -> {
            // Kafka creates the group when its offsets are set before it ever had a member.
            if (io.korvet.Failures.cause(e) instanceof GroupIdNotFoundException && !registry.elsewhere(groupId)) {
                return store.listGroups().thenCompose(stored -> stored.containsKey(groupId) ? CompletableFuture.failedFuture(e)
                        : store.commitOffsets(groupId, ShareGroups.TYPE, Map.of()));
            }
            return CompletableFuture.failedFuture(e);
        }).thenCompose(v -> {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            offsets.forEach((tp, offset) -> done.add(partitions.reset(groupId, tp, offset).toCompletableFuture()));
            return CompletableFuture.allOf(done.toArray(new CompletableFuture[0]));
        });
    }

    /** DeleteShareGroupOffsets: forgets the group's state of these topics' partitions (a group without members). */
    public CompletionStage<Void> deleteOffsets(String groupId, Set<String> topics) {
        if (groups.hasMembers(groupId)) {
            return CompletableFuture.failedFuture(new GroupNotEmptyException("The group " + groupId + " has active members."));
        }
        return checkShareGroup(groupId).thenCompose(v -> deleteTopics(groupId, topics));
    }

    /** A deleted topic's share state goes, in every share group: a topic created again under the name starts afresh. */
    public CompletionStage<Void> forgetTopic(String topic) {
        return store.listGroups().thenCompose(all -> {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            all.forEach((groupId, type) -> {
                if (ShareGroups.TYPE.equals(type)) {
                    done.add(deleteTopics(groupId, Set.of(topic)).toCompletableFuture());
                }
            });
            return CompletableFuture.allOf(done.toArray(new CompletableFuture[0]));
        });
    }

    private CompletionStage<Void> deleteTopics(String groupId, Set<String> topics) {
        return partitions.store().partitions(groupId).thenCompose(all -> {
            Set<TopicPartition> gone = new java.util.HashSet<>();
            all.forEach(tp -> {
                if (topics.contains(tp.topic())) {
                    gone.add(tp);
                }
            });
            return partitions.delete(groupId, gone);
        });
    }

    /** A deleted group's share state and configs go with it. */
    CompletionStage<Void> deleteState(String groupId) {
        groups.removeIfEmpty(groupId);
        return partitions.store().partitions(groupId).thenCompose(all -> partitions.delete(groupId, all))
                .thenCompose(v -> partitions.configs().forget(groupId));
    }
}
