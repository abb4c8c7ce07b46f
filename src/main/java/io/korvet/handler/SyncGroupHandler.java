package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.SyncGroupRequest;

/** SyncGroup: the leader hands in the assignment; every member gets its part. */
public final class SyncGroupHandler implements ApiHandler<SyncGroupRequest> {

    private final GroupCoordinator coordinator;

    public SyncGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, SyncGroupRequest request) {
        SyncGroupRequestData d = request.data();
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupAuthorizationException(d.groupId()));
        }
        Map<String, byte[]> assignments = new HashMap<>();
        for (SyncGroupRequestAssignment a : d.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        short version = context.apiVersion();
        return coordinator.sync(d.groupId(), d.memberId(), d.groupInstanceId(), d.generationId(),
                version >= 5 ? d.protocolType() : null, version >= 5 ? d.protocolName() : null, assignments)
                .thenApply(r -> {
                    if (version < 5) {
                        r.setProtocolType(null).setProtocolName(null);
                    }
                    return r;
                });
    }
}
