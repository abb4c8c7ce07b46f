package io.korvet.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

class AclAuthorizerTest {

    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    private static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");

    private final Set<AclBinding> acls = new HashSet<>();
    private final AclStore store = new AclStore() {
        @Override
        public CompletionStage<Set<AclBinding>> all() {
            return CompletableFuture.completedFuture(Set.copyOf(acls));
        }

        @Override
        public CompletionStage<Void> add(Collection<AclBinding> bindings) {
            acls.addAll(bindings);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> remove(Collection<AclBinding> bindings) {
            acls.removeAll(bindings);
            return CompletableFuture.completedFuture(null);
        }
    };

    private AclAuthorizer with(boolean allowIfNone, AclBinding... bindings) {
        acls.addAll(Set.of(bindings));
        AclAuthorizer a = new AclAuthorizer(store, Set.of("User:admin"), allowIfNone);
        a.reload().toCompletableFuture().join();
        return a;
    }

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal, String host,
                                  AclOperation op, AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, host, op, permission));
    }

    private static AclBinding allow(String topic, PatternType pattern, String principal, AclOperation op) {
        return acl(ResourceType.TOPIC, topic, pattern, principal, "*", op, AclPermissionType.ALLOW);
    }

    @Test
    void denyWinsOverAllowAndAllDeniesEverything() {
        AclAuthorizer a = with(false, allow("logs-", PatternType.PREFIXED, "User:alice", AclOperation.READ),
                acl(ResourceType.TOPIC, "logs-secret", PatternType.LITERAL, "User:alice", "*", AclOperation.ALL, AclPermissionType.DENY));
        assertThat(a.authorize(ALICE, "10.0.0.1", AclOperation.READ, ResourceType.TOPIC, "logs-public")).isTrue();
        assertThat(a.authorize(ALICE, "10.0.0.1", AclOperation.READ, ResourceType.TOPIC, "logs-secret")).isFalse();
        assertThat(a.authorize(ALICE, "10.0.0.1", AclOperation.DESCRIBE, ResourceType.TOPIC, "logs-secret")).isFalse();
        assertThat(a.authorize(ALICE, "10.0.0.1", AclOperation.READ, ResourceType.TOPIC, "log")).isFalse();
    }

    @Test
    void readWriteDeleteAlterImplyDescribeAndAlterConfigsImpliesDescribeConfigs() {
        AclAuthorizer a = with(false, allow("t", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                allow("t", PatternType.LITERAL, "User:alice", AclOperation.ALTER_CONFIGS));
        assertThat(a.authorize(ALICE, "h", AclOperation.DESCRIBE, ResourceType.TOPIC, "t")).isTrue();
        assertThat(a.authorize(ALICE, "h", AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, "t")).isTrue();
        assertThat(a.authorize(ALICE, "h", AclOperation.READ, ResourceType.TOPIC, "t")).isFalse();
        assertThat(a.authorizedOperations(ALICE, "h", ResourceType.TOPIC, "t")).isEqualTo(
                org.apache.kafka.common.utils.Utils.to32BitField(Set.of(AclOperation.WRITE.code(), AclOperation.DESCRIBE.code(),
                        AclOperation.ALTER_CONFIGS.code(), AclOperation.DESCRIBE_CONFIGS.code())));
    }

    @Test
    void wildcardPrincipalsResourcesAndHostFilters() {
        AclAuthorizer a = with(false, allow("*", PatternType.LITERAL, "User:*", AclOperation.DESCRIBE),
                acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:bob", "10.0.0.2", AclOperation.READ, AclPermissionType.ALLOW));
        assertThat(a.authorize(ALICE, "h", AclOperation.DESCRIBE, ResourceType.TOPIC, "anything")).isTrue();
        assertThat(a.authorize(BOB, "10.0.0.2", AclOperation.READ, ResourceType.TOPIC, "t")).isTrue();
        assertThat(a.authorize(BOB, "10.0.0.3", AclOperation.READ, ResourceType.TOPIC, "t")).isFalse();
        assertThat(a.authorize(BOB, "10.0.0.2", AclOperation.READ, ResourceType.GROUP, "t")).isFalse();
    }

    @Test
    void superUsersAndResourcesWithoutAcls() {
        AclAuthorizer closed = with(false, allow("t", PatternType.LITERAL, "User:bob", AclOperation.READ));
        assertThat(closed.authorize(new KafkaPrincipal("User", "admin"), "h", AclOperation.ALTER, ResourceType.CLUSTER,
                AclAuthorizer.CLUSTER_NAME)).isTrue();
        assertThat(closed.authorize(ALICE, "h", AclOperation.READ, ResourceType.TOPIC, "other")).isFalse();
        acls.clear();
        AclAuthorizer open = with(true, allow("t", PatternType.LITERAL, "User:bob", AclOperation.READ));
        assertThat(open.authorize(ALICE, "h", AclOperation.READ, ResourceType.TOPIC, "other")).isTrue();
        assertThat(open.authorize(ALICE, "h", AclOperation.READ, ResourceType.TOPIC, "t")).isFalse();
    }

    @Test
    void writeOnAnyTopicIsWhatAnIdempotentProducerNeeds() {
        AclAuthorizer a = with(false, allow("orders", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                allow("x-", PatternType.PREFIXED, "User:bob", AclOperation.WRITE),
                acl(ResourceType.TOPIC, "x-", PatternType.PREFIXED, "User:bob", "*", AclOperation.WRITE, AclPermissionType.DENY));
        assertThat(a.authorizeAny(ALICE, "h", AclOperation.WRITE, ResourceType.TOPIC)).isTrue();
        assertThat(a.authorizeAny(BOB, "h", AclOperation.WRITE, ResourceType.TOPIC)).isFalse();
    }
}
