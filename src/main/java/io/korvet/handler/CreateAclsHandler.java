package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.security.AclAuthorizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * CreateAcls, as {@code kafka-acls.sh --add} sends it: needs ALTER on the cluster; each binding is checked as Kafka
 * checks it (a concrete resource type, LITERAL or PREFIXED pattern, operation and permission, a name, a
 * {@code Type:name} principal), and the valid ones are stored for every broker.
 */
public final class CreateAclsHandler implements ApiHandler<CreateAclsRequest> {

    private final AclAuthorizer authorizer;

    /** @param authorizer null when ACLs are off: every creation is then SECURITY_DISABLED */
    public CreateAclsHandler(AclAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_ACLS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, CreateAclsRequest request) {
        List<AclCreation> creations = request.data().creations();
        CreateAclsResponseData data = new CreateAclsResponseData();
        Errors refused = AclAccess.refusal(authorizer, context, AclOperation.ALTER);
        if (refused != null) {
            for (AclCreation c : creations) {
                data.results().add(new AclCreationResult().setErrorCode(refused.code())
                        .setErrorMessage(AclAccess.message(refused)));
            }
            return CompletableFuture.completedFuture(data);
        }
        List<AclBinding> valid = new ArrayList<>();
        for (AclCreation c : creations) {
            String problem = validate(c);
            if (problem != null) {
                data.results().add(new AclCreationResult().setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(problem));
            } else {
                valid.add(CreateAclsRequest.aclBinding(c));
                data.results().add(new AclCreationResult().setErrorCode(Errors.NONE.code()));
            }
        }
        return authorizer.store().add(valid).thenCompose(v -> authorizer.reload()).thenApply(v -> data);
    }

    /** Kafka's checks of a new ACL, or null when it may be stored. */
    static String validate(AclCreation c) {
        ResourceType type = ResourceType.fromCode(c.resourceType());
        PatternType pattern = PatternType.fromCode(c.resourcePatternType());
        AclOperation op = AclOperation.fromCode(c.operation());
        AclPermissionType permission = AclPermissionType.fromCode(c.permissionType());
        if (type == ResourceType.ANY || type == ResourceType.UNKNOWN) {
            return "Invalid resourceType " + type;
        }
        if (pattern != PatternType.LITERAL && pattern != PatternType.PREFIXED) {
            return "Invalid patternType " + pattern;
        }
        if (op == AclOperation.ANY || op == AclOperation.UNKNOWN) {
            return "Invalid operation " + op;
        }
        if (permission != AclPermissionType.ALLOW && permission != AclPermissionType.DENY) {
            return "Invalid permissionType " + permission;
        }
        if (c.resourceName() == null || c.resourceName().isEmpty()) {
            return "Resource name should not be empty";
        }
        if (c.principal() == null || c.principal().indexOf(':') < 0) {
            return "Could not parse principal from `" + c.principal() + "` (no colon is present separating the principal type"
                    + " from the principal name)";
        }
        if (c.host() == null || c.host().isEmpty()) {
            return "Invalid host " + c.host();
        }
        return null;
    }
}
