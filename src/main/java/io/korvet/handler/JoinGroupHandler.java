package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import io.korvet.group.JoinRequests;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.JoinGroupRequest;

/** JoinGroup for classic groups; the rebalance itself is {@link GroupCoordinator}'s. */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {

    private final GroupCoordinator coordinator;

    public JoinGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, JoinGroupRequest request) {
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, request.data().groupId())) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupAuthorizationException(request.data().groupId()));
        }
        short version = context.apiVersion();
        return coordinator.join(request.data().groupId(), JoinRequests.of(request.data(), version, context))
                .thenApply(r -> forVersion(r, version));
    }

    /** Fields a version does not have are left at their defaults, so the response encodes at every version. */
    private static ApiMessage forVersion(JoinGroupResponseData r, short version) {
        if (version < 7) {
            r.setProtocolType(null);
            if (r.protocolName() == null) {
                r.setProtocolName("");
            }
        }
        if (version < 5) {
            for (JoinGroupResponseMember m : r.members()) {
                m.setGroupInstanceId(null);
            }
        }
        return r;
    }
}
