package io.korvet.handler;

/** The authorized-operations fields of Describe responses (KIP-430); the bits themselves come from the authorizer. */
final class AuthorizedOperations {

    /** The value a response carries when the client did not ask for authorized operations. */
    static final int NOT_REQUESTED = Integer.MIN_VALUE;

    private AuthorizedOperations() {
    }

    /** As Kafka reports them: what the caller may do on the cluster, or nothing unless it may describe it. */
    static int ofCluster(io.korvet.dispatch.RequestContext context) {
        return context.permitsOnCluster(org.apache.kafka.common.acl.AclOperation.DESCRIBE)
                ? context.authorizedOperations(org.apache.kafka.common.resource.ResourceType.CLUSTER,
                        io.korvet.security.AclAuthorizer.CLUSTER_NAME) : 0;
    }
}
