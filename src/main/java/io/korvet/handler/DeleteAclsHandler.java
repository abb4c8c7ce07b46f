package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.security.AclAuthorizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;

/** DeleteAcls ({@code kafka-acls.sh --remove}): removes what each filter matches and names it; needs ALTER on the cluster. */
public final class DeleteAclsHandler implements ApiHandler<DeleteAclsRequest> {

    private final AclAuthorizer authorizer;

    public DeleteAclsHandler(AclAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_ACLS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, DeleteAclsRequest request) {
        DeleteAclsResponseData data = new DeleteAclsResponseData();
        List<AclBindingFilter> filters = request.filters();
        Errors refused = AclAccess.refusal(authorizer, context, AclOperation.ALTER);
        if (refused != null) {
            for (AclBindingFilter f : filters) {
                data.filterResults().add(new DeleteAclsFilterResult().setErrorCode(refused.code())
                        .setErrorMessage(AclAccess.message(refused)));
            }
            return CompletableFuture.completedFuture(data);
        }
        return authorizer.store().all().thenCompose(all -> delete(all, filters, data));
    }

    private CompletionStage<ApiMessage> delete(Set<AclBinding> all, List<AclBindingFilter> filters, DeleteAclsResponseData data) {
        Set<AclBinding> removed = new LinkedHashSet<>();
        for (AclBindingFilter f : filters) {
            DeleteAclsFilterResult result = new DeleteAclsFilterResult().setErrorCode(Errors.NONE.code());
            for (AclBinding b : all) {
                if (f.matches(b)) {
                    result.matchingAcls().add(DeleteAclsResponse.matchingAcl(b, ApiError.NONE));
                    removed.add(b);
                }
            }
            data.filterResults().add(result);
        }
        return authorizer.store().remove(new ArrayList<>(removed)).thenCompose(v -> authorizer.reload()).thenApply(v -> data);
    }
}
