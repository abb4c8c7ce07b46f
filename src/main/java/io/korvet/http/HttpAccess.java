package io.korvet.http;

import io.korvet.security.AclAuthorizer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What an HTTP caller may see: with an authorizer and an authenticated caller, exactly what the ACLs let its
 * principal do over Kafka (DESCRIBE a topic to list it, READ it to browse its records, DESCRIBE a group, DESCRIBE
 * the cluster for the brokers and the metrics); without either, everything (an unauthenticated listener is kept to
 * loopback when SASL is on: see {@link HttpSecurity}).
 */
final class HttpAccess {

    private final AclAuthorizer authorizer;

    HttpAccess(AclAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    boolean may(HttpCall call, AclOperation operation, ResourceType type, String name) {
        return authorizer == null || call.principal() == null
                || authorizer.authorize(call.principal(), call.host(), operation, type, name);
    }

    boolean mayDescribeCluster(HttpCall call) {
        return may(call, AclOperation.DESCRIBE, ResourceType.CLUSTER, AclAuthorizer.CLUSTER_NAME);
    }
}
