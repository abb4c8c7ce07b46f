package io.korvet.handler;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.share.SharePartitions;
import io.korvet.group.share.ShareSessions;
import io.korvet.group.share.ShareSessions.Partition;
import io.korvet.handler.SharePartitionAccess.AckBatch;
import io.korvet.log.LogManager;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;

/**
 * ShareAcknowledge (KIP-932): accepts, releases, rejects or renews records the member acquired, in its share session
 * (epoch -1 closes the session and releases what the member still holds). Answered once every change is in Redis.
 */
public final class ShareAcknowledgeHandler implements ApiHandler<ShareAcknowledgeRequest> {

    private final SharePartitionAccess access;
    private final ShareSessions sessions;

    public ShareAcknowledgeHandler(TopicManager topics, LogManager logs, PartitionLeadership leadership, SharePartitions shares,
                                   ShareSessions sessions) {
        this.access = new SharePartitionAccess(topics, logs, leadership, shares);
        this.sessions = sessions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_ACKNOWLEDGE;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ShareAcknowledgeRequest request) {
        ShareAcknowledgeRequestData d = request.data();
        Errors refused = SharePartitionAccess.checkMember(context, d.groupId(), d.memberId());
        if (refused != null) {
            return CompletableFuture.completedFuture(top(refused));
        }
        ShareSessions.Use use = sessions.acknowledge(d.groupId(), d.memberId(), d.shareSessionEpoch());
        if (use.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(top(use.error()));
        }
        Map<Partition, List<AckBatch>> acks = new LinkedHashMap<>();
        for (ShareAcknowledgeRequestData.AcknowledgeTopic t : d.topics()) {
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : t.partitions()) {
                List<AckBatch> batches = acks.computeIfAbsent(new Partition(t.topicId(), p.partitionIndex()), k -> new ArrayList<>());
                p.acknowledgementBatches().forEach(b -> batches.add(new AckBatch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes())));
            }
        }
        return access.acknowledge(context, d.groupId(), d.memberId(), acks).thenCompose(errors -> {
            CompletionStage<Void> released = d.shareSessionEpoch() == -1
                    ? access.release(context, d.groupId(), d.memberId(), use.session().partitions())
                    : CompletableFuture.completedFuture(null);
            return released.thenCompose(v -> access.shares().configs().effective(d.groupId())).thenApply(c -> {
                ShareAcknowledgeResponseData out = new ShareAcknowledgeResponseData().setAcquisitionLockTimeoutMs(c.lockDurationMs());
                Map<Uuid, ShareAcknowledgeTopicResponse> byTopic = new LinkedHashMap<>();
                errors.forEach((p, e) -> byTopic.computeIfAbsent(p.topicId(), id -> {
                    ShareAcknowledgeTopicResponse t = new ShareAcknowledgeTopicResponse().setTopicId(id);
                    out.responses().add(t);
                    return t;
                }).partitions().add(new ShareAcknowledgeResponseData.PartitionData().setPartitionIndex(p.partition())
                        .setErrorCode(e.code()).setErrorMessage(e == Errors.NONE ? null : e.message())));
                return (ApiMessage) out;
            });
        });
    }

    private static ShareAcknowledgeResponseData top(Errors error) {
        return new ShareAcknowledgeResponseData().setErrorCode(error.code()).setErrorMessage(error.message());
    }
}
