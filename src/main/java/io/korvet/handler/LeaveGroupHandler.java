package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.LeaveGroupRequest;

/** LeaveGroup: one member (v0-2) or a batch of members, static ones by instance id (v3+). */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {

    private final GroupCoordinator coordinator;

    public LeaveGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, LeaveGroupRequest request) {
        var d = request.data();
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupAuthorizationException(d.groupId()));
        }
        LeaveGroupResponseData response = new LeaveGroupResponseData().setErrorCode(Errors.NONE.code());
        if (context.apiVersion() < 3) {
            response.setErrorCode(coordinator.leave(d.groupId(), d.memberId(), null, null).code());
        } else {
            for (MemberIdentity m : d.members()) {
                Errors error = coordinator.leave(d.groupId(), m.memberId(), m.groupInstanceId(), m.reason());
                response.members().add(new MemberResponse()
                        .setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId())
                        .setErrorCode(error.code()));
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
