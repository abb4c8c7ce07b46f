package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.ShareCoordination;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.resource.ResourceType;

/** ShareGroupDescribe (KIP-932): state, epochs, assignor and members with their assignments; DESCRIBE on each group. */
public final class ShareGroupDescribeHandler implements ApiHandler<ShareGroupDescribeRequest> {

    private final ShareCoordination share;

    public ShareGroupDescribeHandler(ShareCoordination share) {
        this.share = share;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_DESCRIBE;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, ShareGroupDescribeRequest request) {
        var ids = new ArrayList<>(new LinkedHashSet<>(request.data().groupIds()));
        return share.describe(ids).thenApply(groups -> {
            ShareGroupDescribeResponseData out = new ShareGroupDescribeResponseData();
            for (DescribedGroup g : groups) {
                if (!context.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
                    g = new DescribedGroup().setGroupId(g.groupId()).setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                            .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()).setGroupState("").setAssignorName("");
                } else if (request.data().includeAuthorizedOperations()) {
                    g.setAuthorizedOperations(context.authorizedOperations(ResourceType.GROUP, g.groupId()));
                }
                out.groups().add(g);
            }
            return out;
        });
    }
}
