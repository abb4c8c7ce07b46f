package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.security.AclAuthorizer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;

/** DescribeAcls ({@code kafka-acls.sh --list}): the ACLs the filter matches, grouped by resource; needs DESCRIBE on the cluster. */
public final class DescribeAclsHandler implements ApiHandler<DescribeAclsRequest> {

    private final AclAuthorizer authorizer;

    public DescribeAclsHandler(AclAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_ACLS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeAclsRequest request) {
        DescribeAclsResponseData data = new DescribeAclsResponseData();
        Errors refused = AclAccess.refusal(authorizer, context, AclOperation.DESCRIBE);
        if (refused != null) {
            return CompletableFuture.completedFuture(data.setErrorCode(refused.code()).setErrorMessage(AclAccess.message(refused)));
        }
        AclBindingFilter filter = request.filter();
        return authorizer.store().all().thenApply(all -> {
            List<AclBinding> matching = all.stream().filter(filter::matches).toList();
            return data.setErrorCode(Errors.NONE.code()).setResources(DescribeAclsResponse.aclsResources(matching));
        });
    }
}
