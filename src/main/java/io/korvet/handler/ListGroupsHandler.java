package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListGroupsRequest;

/** ListGroups, with the state filter (v4+) and the type filter (v5+; every group here is "classic"). */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {

    private final GroupCoordinator coordinator;

    public ListGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, ListGroupsRequest request) {
        short version = context.apiVersion();
        List<String> states = version >= 4 ? request.data().statesFilter() : List.of();
        List<String> types = version >= 5 ? request.data().typesFilter() : List.of();
        return coordinator.list(states, types).thenApply(groups -> {
            ListGroupsResponseData out = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
            boolean everyGroup = context.permitsOnCluster(AclOperation.DESCRIBE);
            for (ListedGroup g : groups) {
                // As Kafka does, only the groups the caller may describe, unless it may describe the cluster.
                if (!everyGroup && !context.permits(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
                    continue;
                }
                if (version < 5) {
                    g.setGroupType("");
                }
                if (version < 4) {
                    g.setGroupState("");
                }
                out.groups().add(g);
            }
            return out;
        });
    }
}
