package io.korvet.security;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs in memory, by resource type and name, so that a decision costs a few map lookups and no Redis call.
 * Immutable: a change builds a new index.
 */
final class AclIndex {

    private static final String WILDCARD = ResourcePattern.WILDCARD_RESOURCE;

    /** The ACLs of one resource type: literal by name (the wildcard "*" among them), and prefixed. */
    private static final class OfType {
        final Map<String, List<AccessControlEntry>> literal = new HashMap<>();
        final List<Map.Entry<String, AccessControlEntry>> prefixed = new ArrayList<>();
    }

    private final Map<ResourceType, OfType> byType = new EnumMap<>(ResourceType.class);
    private final Set<AclBinding> bindings;

    AclIndex(Set<AclBinding> bindings) {
        this.bindings = Set.copyOf(bindings);
        for (AclBinding b : bindings) {
            OfType t = byType.computeIfAbsent(b.pattern().resourceType(), k -> new OfType());
            if (b.pattern().patternType() == PatternType.PREFIXED) {
                t.prefixed.add(Map.entry(b.pattern().name(), b.entry()));
            } else {
                t.literal.computeIfAbsent(b.pattern().name(), k -> new ArrayList<>()).add(b.entry());
            }
        }
    }

    Set<AclBinding> bindings() {
        return bindings;
    }

    /** Every entry whose pattern matches the resource: its literal name, the wildcard, and prefixes of its name. */
    List<AccessControlEntry> matching(ResourceType type, String name) {
        OfType t = byType.get(type);
        if (t == null) {
            return List.of();
        }
        List<AccessControlEntry> out = new ArrayList<>(t.literal.getOrDefault(name, List.of()));
        if (!name.equals(WILDCARD)) {
            out.addAll(t.literal.getOrDefault(WILDCARD, List.of()));
        }
        for (Map.Entry<String, AccessControlEntry> p : t.prefixed) {
            if (name.startsWith(p.getKey())) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    /** Every entry of a resource type, with its pattern. */
    List<Map.Entry<ResourcePattern, AccessControlEntry>> ofType(ResourceType type) {
        OfType t = byType.get(type);
        List<Map.Entry<ResourcePattern, AccessControlEntry>> out = new ArrayList<>();
        if (t == null) {
            return out;
        }
        t.literal.forEach((name, entries) -> entries.forEach(e -> out.add(Map.entry(new ResourcePattern(type, name, PatternType.LITERAL), e))));
        t.prefixed.forEach(p -> out.add(Map.entry(new ResourcePattern(type, p.getKey(), PatternType.PREFIXED), p.getValue())));
        return out;
    }

    static boolean applies(AccessControlEntry e, String principal, String host) {
        return (e.principal().equals(principal) || e.principal().equals("User:*"))
                && (e.host().equals(host) || e.host().equals("*"));
    }

    /** Kafka's implication: an ACL for the operation, for ALL, or (allow only) one that implies it. */
    static boolean covers(AccessControlEntry e, AclOperation op) {
        AclOperation granted = e.operation();
        if (granted == op || granted == AclOperation.ALL) {
            return true;
        }
        if (e.permissionType() == AclPermissionType.DENY) {
            return false;
        }
        if (op == AclOperation.DESCRIBE) {
            return granted == AclOperation.READ || granted == AclOperation.WRITE || granted == AclOperation.DELETE
                    || granted == AclOperation.ALTER;
        }
        if (op == AclOperation.DESCRIBE_CONFIGS) {
            return granted == AclOperation.ALTER_CONFIGS;
        }
        return false;
    }
}
