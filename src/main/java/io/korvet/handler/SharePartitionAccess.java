package io.korvet.handler;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.share.SharePartitions;
import io.korvet.group.share.ShareSessions.Partition;
import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What ShareFetch and ShareAcknowledge share: a partition of a share session resolved to its topic and log (or the
 * error that answers it), and acknowledgement batches applied to the group's share partitions.
 */
final class SharePartitionAccess {

    /** One acknowledgement batch as both requests carry it. */
    record AckBatch(long firstOffset, long lastOffset, byte[] types) {
        AckBatch(long firstOffset, long lastOffset, List<Byte> types) {
            this(firstOffset, lastOffset, bytes(types));
        }

        private static byte[] bytes(List<Byte> types) {
            byte[] out = new byte[types.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = types.get(i);
            }
            return out;
        }
    }

    /** A session's partition: its topic and log, or the error that answers it. */
    record Resolved(Partition partition, Topic topic, PartitionLog log, Errors error) {
    }

    private final TopicManager topics;
    private final LogManager logs;
    private final PartitionLeadership leadership;
    private final SharePartitions shares;

    SharePartitionAccess(TopicManager topics, LogManager logs, PartitionLeadership leadership, SharePartitions shares) {
        this.topics = topics;
        this.logs = logs;
        this.leadership = leadership;
        this.shares = shares;
    }

    SharePartitions shares() {
        return shares;
    }

    PartitionLeadership leadership() {
        return leadership;
    }

    /** Kafka's first checks of a ShareFetch or ShareAcknowledge: READ on the group, a group and a member id; null when they pass. */
    static Errors checkMember(RequestContext context, String groupId, String memberId) {
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, groupId == null ? "" : groupId)) {
            return Errors.GROUP_AUTHORIZATION_FAILED;
        }
        if (groupId == null || groupId.isEmpty() || memberId == null || memberId.isEmpty()) {
            return Errors.INVALID_REQUEST;
        }
        return null;
    }

    Resolved resolve(RequestContext context, Partition p) {
        Topic topic = topics.get(p.topicId());
        if (topic == null) {
            return new Resolved(p, null, null, Errors.UNKNOWN_TOPIC_ID);
        }
        if (!context.allowed(AclOperation.READ, ResourceType.TOPIC, topic.name())) {
            return new Resolved(p, topic, null, Errors.TOPIC_AUTHORIZATION_FAILED);
        }
        if (!topic.hasPartition(p.partition())) {
            return new Resolved(p, topic, null, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (!leadership.leads(topic, p.partition())) {
            return new Resolved(p, topic, null, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return new Resolved(p, topic, logs.log(new TopicPartition(topic.name(), p.partition())), Errors.NONE);
    }

    /** Applies each partition's acknowledgement batches for the member; completes with each partition's error. */
    CompletionStage<Map<Partition, Errors>> acknowledge(RequestContext context, String groupId, String memberId,
                                                        Map<Partition, List<AckBatch>> acks) {
        Map<Partition, CompletableFuture<Errors>> pending = new LinkedHashMap<>();
        acks.forEach((p, batches) -> {
            Resolved r = resolve(context, p);
            if (r.error() != Errors.NONE) {
                pending.put(p, CompletableFuture.completedFuture(r.error()));
                return;
            }
            pending.put(p, shares.open(groupId, r.log()).thenCompose(h -> {
                List<CompletableFuture<Errors>> each = new ArrayList<>();
                for (AckBatch b : batches) {
                    each.add(h.acknowledge(memberId, b.firstOffset(), b.lastOffset(), b.types()).toCompletableFuture());
                }
                return CompletableFuture.allOf(each.toArray(new CompletableFuture[0])).thenApply(v -> each.stream()
                        .map(CompletableFuture::join).filter(e -> e != Errors.NONE).findFirst().orElse(Errors.NONE));
            }).exceptionally(e -> ErrorMapper.toError(e, ApiKeys.SHARE_ACKNOWLEDGE)).toCompletableFuture());
        });
        return CompletableFuture.allOf(pending.values().toArray(new CompletableFuture[0])).thenApply(v -> {
            Map<Partition, Errors> out = new LinkedHashMap<>();
            pending.forEach((p, f) -> out.put(p, f.join()));
            return out;
        });
    }

    /** Releases what the member holds in each partition (its session closed). */
    CompletionStage<Void> release(RequestContext context, String groupId, String memberId, Iterable<Partition> partitions) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Partition p : partitions) {
            Resolved r = resolve(context, p);
            if (r.error() == Errors.NONE) {
                done.add(shares.open(groupId, r.log()).thenCompose(h -> h.releaseMember(memberId))
                        .exceptionally(e -> null).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(done.toArray(new CompletableFuture[0]));
    }
}
