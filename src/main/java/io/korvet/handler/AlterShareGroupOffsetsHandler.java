package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.ShareCoordination;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * AlterShareGroupOffsets (KIP-932, {@code kafka-share-groups.sh --reset-offsets --execute}): each partition's share
 * state starts over at the offset given, for a group without members. READ on the group and on each topic.
 */
public final class AlterShareGroupOffsetsHandler implements ApiHandler<AlterShareGroupOffsetsRequest> {

    private final ShareCoordination share;
    private final TopicManager topics;

    public AlterShareGroupOffsetsHandler(ShareCoordination share, TopicManager topics) {
        this.share = share;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_SHARE_GROUP_OFFSETS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, AlterShareGroupOffsetsRequest request) {
        var d = request.data();
        AlterShareGroupOffsetsResponseData out = new AlterShareGroupOffsetsResponseData();
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()));
        }
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (AlterShareGroupOffsetsRequestTopic t : d.topics()) {
            Topic topic = topics.get(t.topicName());
            boolean allowed = context.allowed(AclOperation.READ, ResourceType.TOPIC, t.topicName());
            AlterShareGroupOffsetsResponseTopic rt = new AlterShareGroupOffsetsResponseTopic().setTopicName(t.topicName())
                    .setTopicId(topic == null ? Uuid.ZERO_UUID : topic.id());
            out.responses().add(rt);
            for (var p : t.partitions()) {
                Errors error = !allowed ? Errors.TOPIC_AUTHORIZATION_FAILED
                        : topic == null || !topic.hasPartition(p.partitionIndex()) ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                        : p.startOffset() < 0 ? Errors.INVALID_REQUEST : Errors.NONE;
                if (error == Errors.NONE) {
                    offsets.put(new TopicPartition(t.topicName(), p.partitionIndex()), p.startOffset());
                }
                rt.partitions().add(new AlterShareGroupOffsetsResponsePartition().setPartitionIndex(p.partitionIndex())
                        .setErrorCode(error.code()).setErrorMessage(error == Errors.NONE ? null : error.message()));
            }
        }
        return share.alterOffsets(d.groupId(), offsets).handle((v, e) -> {
            if (e != null) {
                Errors error = ErrorMapper.toError(e, ApiKeys.ALTER_SHARE_GROUP_OFFSETS);
                out.setErrorCode(error.code()).setErrorMessage(ErrorMapper.message(e));
                out.responses().forEach(t -> t.partitions().forEach(p -> {
                    if (p.errorCode() == Errors.NONE.code()) {
                        p.setErrorCode(error.code()).setErrorMessage(ErrorMapper.message(e));
                    }
                }));
            }
            return out;
        });
    }
}
