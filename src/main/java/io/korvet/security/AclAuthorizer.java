package io.korvet.security;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's StandardAuthorizer rules over the ACLs in Redis, decided in memory: super users may do anything; a
 * matching DENY wins over any ALLOW; an operation is allowed by an ACL for it, for ALL, or one that implies it
 * (READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS); a resource no ACL matches
 * is allowed only with {@code allow.everyone.if.no.acl.found}. The cache is rebuilt when any broker changes the ACLs.
 */
public final class AclAuthorizer {

    private static final Logger log = LoggerFactory.getLogger(AclAuthorizer.class);

    /** The operations each resource type has, as Kafka reports them in authorized_operations (KIP-430). */
    private static final Map<ResourceType, Set<AclOperation>> OPERATIONS = Map.of(
            ResourceType.TOPIC, EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
                    AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
            ResourceType.GROUP, EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
            ResourceType.CLUSTER, EnumSet.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
                    AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE),
            ResourceType.TRANSACTIONAL_ID, EnumSet.of(AclOperation.DESCRIBE, AclOperation.WRITE));

    /** The name of the one cluster resource. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    private final AclStore store;
    private final Set<String> superUsers;
    private final boolean allowIfNoAcl;
    private volatile AclIndex index = new AclIndex(Set.of());

    public AclAuthorizer(AclStore store, Set<String> superUsers, boolean allowIfNoAcl) {
        this.store = store;
        this.superUsers = Set.copyOf(superUsers);
        this.allowIfNoAcl = allowIfNoAcl;
    }

    public AclStore store() {
        return store;
    }

    /** Reads the ACLs again (at start-up and whenever a broker announced a change). */
    public CompletionStage<Void> reload() {
        return store.all().thenAccept(all -> {
            if (!all.equals(index.bindings())) {
                log.info("Loaded {} ACLs", all.size());
            }
            index = new AclIndex(all);
        });
    }

    public Set<AclBinding> bindings() {
        return index.bindings();
    }

    public boolean authorize(KafkaPrincipal principal, String host, AclOperation op, ResourceType type, String name) {
        String who = principal.toString();
        if (superUsers.contains(who)) {
            return true;
        }
        List<AccessControlEntry> entries = index.matching(type, name);
        boolean allowed = false;
        for (AccessControlEntry e : entries) {
            if (!AclIndex.applies(e, who, host) || !AclIndex.covers(e, op)) {
                continue;
            }
            if (e.permissionType() == AclPermissionType.DENY) {
                return false;
            }
            allowed |= e.permissionType() == AclPermissionType.ALLOW;
        }
        return allowed || entries.isEmpty() && allowIfNoAcl;
    }

    /**
     * Whether the principal may do the operation on some resource of the type (Kafka's authorizeByResourceType, as
     * InitProducerId asks for WRITE on any topic): some ALLOW of it that no DENY of the same or a wider pattern undoes.
     */
    public boolean authorizeAny(KafkaPrincipal principal, String host, AclOperation op, ResourceType type) {
        String who = principal.toString();
        if (superUsers.contains(who)) {
            return true;
        }
        List<Map.Entry<ResourcePattern, AccessControlEntry>> all = index.ofType(type);
        if (all.isEmpty()) {
            return allowIfNoAcl;
        }
        for (Map.Entry<ResourcePattern, AccessControlEntry> a : all) {
            AccessControlEntry e = a.getValue();
            if (e.permissionType() == AclPermissionType.ALLOW && AclIndex.applies(e, who, host) && AclIndex.covers(e, op)
                    && authorize(principal, host, op, type, a.getKey().name())) {
                return true;
            }
        }
        return false;
    }

    /** The KIP-430 bit field of the operations the principal may do on the resource. */
    public int authorizedOperations(KafkaPrincipal principal, String host, ResourceType type, String name) {
        Set<AclOperation> allowed = OPERATIONS.getOrDefault(type, Set.of()).stream()
                .filter(op -> authorize(principal, host, op, type, name)).collect(Collectors.toSet());
        return bits(allowed);
    }

    /** Every operation of a resource type, as reported with no authorizer. */
    public static int allOperations(ResourceType type) {
        return bits(OPERATIONS.getOrDefault(type, Set.of()));
    }

    private static int bits(Set<AclOperation> operations) {
        return Utils.to32BitField(operations.stream().map(AclOperation::code).collect(Collectors.toSet()));
    }
}
