package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ConsumerGroupDescribe: a consumer-protocol group's epochs, assignor and members with their current and target
 * assignments. A classic group is GROUP_ID_NOT_FOUND here (Kafka's Admin client then asks DescribeGroups).
 */
public final class ConsumerGroupDescribeHandler implements ApiHandler<ConsumerGroupDescribeRequest> {

    private final GroupCoordinator coordinator;

    public ConsumerGroupDescribeHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_DESCRIBE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ConsumerGroupDescribeRequest request) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(request.data().groupIds()));
        short version = context.apiVersion();
        return coordinator.consumerDescribe(ids).thenApply(groups -> {
            ConsumerGroupDescribeResponseData out = new ConsumerGroupDescribeResponseData();
            for (DescribedGroup g : groups) {
                if (!context.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
                    g = new DescribedGroup().setGroupId(g.groupId()).setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                            .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()).setGroupState("").setAssignorName("");
                } else if (request.data().includeAuthorizedOperations()) {
                    g.setAuthorizedOperations(context.authorizedOperations(ResourceType.GROUP, g.groupId()));
                }
                g.setErrorMessage(ErrorMapper.bounded(g.errorMessage()));
                if (version < 1) {
                    g.members().forEach(m -> m.setMemberType((byte) -1));
                }
                out.groups().add(g);
            }
            return out;
        });
    }
}
