package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

/** DescribeGroups: state, protocol and members; an unknown group is Dead (GROUP_ID_NOT_FOUND from v6 on). */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {

    private final GroupCoordinator coordinator;

    public DescribeGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeGroupsRequest request) {
        short version = context.apiVersion();
        // Each group once: a group named again would be described (members, metadata, assignments) again, so that
        // one small request could ask for the same large answer thousands of times.
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(request.data().groups()));
        return coordinator.describe(ids, version >= 6).thenApply(groups -> {
            DescribeGroupsResponseData out = new DescribeGroupsResponseData();
            for (DescribedGroup described : groups) {
                DescribedGroup g = described;
                if (!context.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
                    g = new DescribedGroup().setGroupId(g.groupId()).setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                            .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()).setGroupState("").setProtocolType("")
                            .setProtocolData("");
                } else if (version >= 3 && request.data().includeAuthorizedOperations()) {
                    g.setAuthorizedOperations(context.authorizedOperations(ResourceType.GROUP, g.groupId()));
                }
                g.setErrorMessage(version < 6 ? null : ErrorMapper.bounded(g.errorMessage()));
                if (version < 4) {
                    for (DescribedGroupMember m : g.members()) {
                        m.setGroupInstanceId(null);
                    }
                }
                out.groups().add(g);
            }
            return out;
        });
    }
}
