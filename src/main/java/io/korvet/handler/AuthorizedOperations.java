package io.korvet.handler;

import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Utils;

/**
 * The authorized-operations bit fields of Describe responses. Korvet has no authorizer, so, as Kafka without
 * one, every operation a resource type supports is reported as allowed.
 */
final class AuthorizedOperations {

    /** The value a response carries when the client did not ask for authorized operations. */
    static final int NOT_REQUESTED = Integer.MIN_VALUE;

    static final int CLUSTER = bits(Set.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE));

    static final int TOPIC = bits(Set.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS));

    private AuthorizedOperations() {
    }

    private static int bits(Set<AclOperation> operations) {
        return Utils.to32BitField(operations.stream().map(AclOperation::code).collect(Collectors.toSet()));
    }
}
