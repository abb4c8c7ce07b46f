package io.korvet.storage.redis;

import io.korvet.security.AclStore;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
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

/**
 * The ACLs in one Redis hash, {@link RedisKeys#acls()}: each binding is a field, its seven parts URL-encoded and
 * joined by spaces ({@code type pattern name principal host operation permission}). A change bumps the registry
 * version, so that every broker reloads its ACL cache.
 */
public final class RedisAclStore implements AclStore {

    private final RedisConnector redis;
    private final RedisKeys keys;

    public RedisAclStore(RedisConnector redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    static String encode(AclBinding b) {
        return String.join(" ", enc(b.pattern().resourceType().name()), enc(b.pattern().patternType().name()),
                enc(b.pattern().name()), enc(b.entry().principal()), enc(b.entry().host()), enc(b.entry().operation().name()),
                enc(b.entry().permissionType().name()));
    }

    static AclBinding decode(String field) {
        String[] p = field.split(" ", -1);
        return new AclBinding(new ResourcePattern(ResourceType.valueOf(dec(p[0])), dec(p[2]), PatternType.valueOf(dec(p[1]))),
                new AccessControlEntry(dec(p[3]), dec(p[4]), AclOperation.valueOf(dec(p[5])), AclPermissionType.valueOf(dec(p[6]))));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public CompletionStage<Set<AclBinding>> all() {
        return redis.translate(redis.async().hkeys(keys.acls()), "reading the ACLs").thenApply(fields -> {
            Set<AclBinding> all = new HashSet<>();
            for (byte[] f : fields) {
                all.add(decode(new String(f, StandardCharsets.UTF_8)));
            }
            return all;
        });
    }

    @Override
    public CompletionStage<Void> add(Collection<AclBinding> bindings) {
        if (bindings.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        for (AclBinding b : bindings) {
            fields.put(RedisKeys.bytes(encode(b)), RedisKeys.bytes("1"));
        }
        return redis.translate(redis.async().hset(keys.acls(), fields), "storing ACLs")
                .thenCompose(n -> RedisClusterStore.bumpVersion(redis, keys));
    }

    @Override
    public CompletionStage<Void> remove(Collection<AclBinding> bindings) {
        if (bindings.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[][] fields = bindings.stream().map(b -> RedisKeys.bytes(encode(b))).toArray(byte[][]::new);
        return redis.translate(redis.async().hdel(keys.acls(), fields), "deleting ACLs")
                .thenCompose(n -> RedisClusterStore.bumpVersion(redis, keys));
    }
}
