package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.ShareCoordination;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DeleteShareGroupOffsets (KIP-932, {@code kafka-share-groups.sh --delete-offsets}): forgets a group's share state of
 * whole topics, for a group without members. DELETE on the group, READ on each topic.
 */
public final class DeleteShareGroupOffsetsHandler implements ApiHandler<DeleteShareGroupOffsetsRequest> {

    private final ShareCoordination share;
    private final TopicManager topics;

    public DeleteShareGroupOffsetsHandler(ShareCoordination share, TopicManager topics) {
        this.share = share;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_SHARE_GROUP_OFFSETS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, DeleteShareGroupOffsetsRequest request) {
        var d = request.data();
        DeleteShareGroupOffsetsResponseData out = new DeleteShareGroupOffsetsResponseData();
        if (!context.allowed(AclOperation.DELETE, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()));
        }
        Set<String> deletable = new HashSet<>();
        for (var t : d.topics()) {
            Topic topic = topics.get(t.topicName());
            Errors error = !context.allowed(AclOperation.READ, ResourceType.TOPIC, t.topicName()) ? Errors.TOPIC_AUTHORIZATION_FAILED
                    : topic == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.NONE;
            if (error == Errors.NONE) {
                deletable.add(t.topicName());
            }
            out.responses().add(new DeleteShareGroupOffsetsResponseTopic().setTopicName(t.topicName())
                    .setTopicId(topic == null ? Uuid.ZERO_UUID : topic.id()).setErrorCode(error.code())
                    .setErrorMessage(error == Errors.NONE ? null : error.message()));
        }
        return share.deleteOffsets(d.groupId(), deletable).handle((v, e) -> {
            if (e != null) {
                Errors error = ErrorMapper.toError(e, ApiKeys.DELETE_SHARE_GROUP_OFFSETS);
                out.setErrorCode(error.code()).setErrorMessage(ErrorMapper.message(e));
            }
            return out;
        });
    }
}
