package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

/** DeleteGroups: groups without members go, with their offsets; others get NON_EMPTY_GROUP. */
public final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {

    private final GroupCoordinator coordinator;

    public DeleteGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DeleteGroupsRequest request) {
        List<CompletableFuture<DeletableGroupResult>> results = new ArrayList<>();
        // Each group once: a group named again is deleted (and answered) once, as the response is keyed by group id.
        for (String id : new LinkedHashSet<>(request.data().groupsNames())) {
            if (!context.allowed(AclOperation.DELETE, ResourceType.GROUP, id)) {
                results.add(CompletableFuture.completedFuture(new DeletableGroupResult().setGroupId(id)
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())));
                continue;
            }
            results.add(coordinator.delete(id).handle((error, failure) -> new DeletableGroupResult().setGroupId(id)
                    .setErrorCode((failure != null ? ErrorMapper.toError(failure, ApiKeys.DELETE_GROUPS) : error).code())).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).thenApply(v -> {
            DeleteGroupsResponseData out = new DeleteGroupsResponseData();
            results.forEach(r -> out.results().add(r.join()));
            return out;
        });
    }
}
