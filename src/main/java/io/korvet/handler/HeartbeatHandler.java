package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.HeartbeatRequest;

/** Heartbeat: keeps a member in its group, and tells it when a rebalance is under way. */
public final class HeartbeatHandler implements ApiHandler<HeartbeatRequest> {

    private final GroupCoordinator coordinator;

    public HeartbeatHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, HeartbeatRequest request) {
        var d = request.data();
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupAuthorizationException(d.groupId()));
        }
        return CompletableFuture.completedFuture(new HeartbeatResponseData().setErrorCode(
                coordinator.heartbeat(d.groupId(), d.memberId(), d.groupInstanceId(), d.generationId()).code()));
    }
}
