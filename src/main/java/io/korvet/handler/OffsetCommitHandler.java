package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import io.korvet.storage.GroupStore.CommittedOffset;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;

/**
 * OffsetCommit: partitions of unknown topics and oversized metadata get their own error; the others are
 * committed to Redis together, if the member may commit (generation, member id, static instance).
 */
public final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {

    private final GroupCoordinator coordinator;
    private final TopicManager topics;

    public OffsetCommitHandler(GroupCoordinator coordinator, TopicManager topics) {
        this.coordinator = coordinator;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 10;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, OffsetCommitRequest request) {
        OffsetCommitRequestData d = request.data();
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupAuthorizationException(d.groupId()));
        }
        boolean byId = context.apiVersion() >= 10;
        long now = System.currentTimeMillis();
        int maxMetadata = coordinator.settings().offsetMetadataMaxBytes();
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        Map<OffsetCommitResponsePartition, TopicPartition> toCommit = new LinkedHashMap<>();
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestTopic t : d.topics()) {
            Topic topic = byId ? topics.get(t.topicId()) : topics.get(t.name());
            OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic().setName(byId ? "" : t.name()).setTopicId(t.topicId());
            response.topics().add(rt);
            String name = topic != null ? topic.name() : byId ? null : t.name();
            boolean authorized = name == null || context.allowed(AclOperation.READ, ResourceType.TOPIC, name);
            for (OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponsePartition rp = new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                if (!authorized) {
                    rp.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                } else if (topic == null) {
                    rp.setErrorCode((byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                } else if (!topic.hasPartition(p.partitionIndex())) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (metadataTooLarge(p.committedMetadata(), maxMetadata)) {
                    rp.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                } else {
                    TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                    offsets.put(tp, committed(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), now));
                    toCommit.put(rp, tp);
                }
            }
        }
        return coordinator.commit(d.groupId(), d.memberId(), d.groupInstanceId(), d.generationIdOrMemberEpoch(), offsets)
                .handle((error, failure) -> {
                    Errors code = failure != null ? ErrorMapper.toError(failure, ApiKeys.OFFSET_COMMIT) : error;
                    toCommit.keySet().forEach(rp -> rp.setErrorCode(code.code()));
                    return response;
                });
    }

    /** Whether an offset's metadata is longer than {@code offset.metadata.max.bytes} (OFFSET_METADATA_TOO_LARGE). */
    static boolean metadataTooLarge(String metadata, int maxBytes) {
        return metadata != null && metadata.getBytes(StandardCharsets.UTF_8).length > maxBytes;
    }

    /** An offset as the group keeps it, null metadata kept as empty. */
    static CommittedOffset committed(long offset, int leaderEpoch, String metadata, long now) {
        return new CommittedOffset(offset, leaderEpoch, metadata == null ? "" : metadata, now);
    }
}
