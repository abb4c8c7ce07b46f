package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.JoinRequests;
import io.korvet.group.ShareCoordination;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ShareGroupHeartbeat (KIP-932): joins, stays in and leaves a share group, and hands each member its partitions.
 * Needs READ on the group and DESCRIBE on each subscribed topic, as Kafka checks.
 */
public final class ShareGroupHeartbeatHandler implements ApiHandler<ShareGroupHeartbeatRequest> {

    private final ShareCoordination share;

    public ShareGroupHeartbeatHandler(ShareCoordination share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_HEARTBEAT;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ShareGroupHeartbeatRequest request) {
        var d = request.data();
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId() == null ? "" : d.groupId())) {
            return CompletableFuture.completedFuture(error(Errors.GROUP_AUTHORIZATION_FAILED));
        }
        if (d.subscribedTopicNames() != null) {
            for (String topic : d.subscribedTopicNames()) {
                if (!context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic)) {
                    return CompletableFuture.completedFuture(error(Errors.TOPIC_AUTHORIZATION_FAILED));
                }
            }
        }
        return CompletableFuture.completedFuture(share.heartbeat(d, context.header().clientId(), JoinRequests.clientHost(context)));
    }

    private static ShareGroupHeartbeatResponseData error(Errors error) {
        return new ShareGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(error.message());
    }
}
