package io.korvet.handler;

import io.korvet.dispatch.RequestContext;
import io.korvet.security.AclAuthorizer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.Errors;

/** What CreateAcls, DescribeAcls and DeleteAcls answer before touching an ACL, as Kafka answers it. */
final class AclAccess {

    private AclAccess() {
    }

    /** SECURITY_DISABLED without an authorizer, CLUSTER_AUTHORIZATION_FAILED without the operation on the cluster, else null. */
    static Errors refusal(AclAuthorizer authorizer, RequestContext context, AclOperation op) {
        return authorizer == null ? Errors.SECURITY_DISABLED
                : !context.allowedOnCluster(op) ? Errors.CLUSTER_AUTHORIZATION_FAILED : null;
    }

    static String message(Errors refusal) {
        return refusal == Errors.SECURITY_DISABLED ? "No Authorizer is configured." : refusal.message();
    }
}
