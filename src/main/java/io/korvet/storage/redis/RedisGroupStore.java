package io.korvet.storage.redis;

import io.korvet.storage.GroupStore;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer groups in Redis: the hash {@code <ns>:groups} (group id to protocol type) and, per group, the
 * hash {@code <ns>:group:<id>:offsets} with one field {@code <topic>:<partition>} per committed offset,
 * valued {@code <offset>,<leaderEpoch>,<commitTimestamp>,<metadata>}; and {@code <ns>:groups:emptysince}, group id to
 * when the group last became empty (ms), from which its offsets expire.
 */
public final class RedisGroupStore implements GroupStore {

    private final RedisConnector redis;
    private final RedisKeys keys;
    private final LuaScript expire = LuaScript.load("expire_offsets");

    public RedisGroupStore(RedisConnector redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public CompletionStage<Map<String, String>> listGroups() {
        return redis.translate(redis.async().hgetall(keys.groups()), "listing groups").thenApply(all -> {
            Map<String, String> groups = new HashMap<>();
            all.forEach((k, v) -> groups.put(text(k), text(v)));
            return groups;
        });
    }

    @Override
    public CompletionStage<Void> commitOffsets(String groupId, String protocolType, Map<TopicPartition, CommittedOffset> offsets) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        offsets.forEach((tp, o) -> fields.put(field(tp), encode(o)));
        CompletableFuture<Boolean> registered = redis.async()
                .hset(keys.groups(), RedisKeys.bytes(groupId), RedisKeys.bytes(protocolType == null ? "" : protocolType))
                .toCompletableFuture();
        CompletableFuture<Long> written = fields.isEmpty()
                ? CompletableFuture.completedFuture(0L)
                : redis.async().hset(keys.groupOffsets(groupId), fields).toCompletableFuture();
        return redis.translate(CompletableFuture.allOf(registered, written), "committing offsets of group " + groupId);
    }

    @Override
    public CompletionStage<Map<TopicPartition, CommittedOffset>> fetchOffsets(String groupId) {
        return redis.translate(redis.async().hgetall(keys.groupOffsets(groupId)), "fetching offsets of group " + groupId)
                .thenApply(all -> {
                    Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
                    all.forEach((k, v) -> offsets.put(partition(text(k)), decode(text(v))));
                    return offsets;
                });
    }

    @Override
    public CompletionStage<Void> deleteOffsets(String groupId, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[][] fields = partitions.stream().map(RedisGroupStore::field).toArray(byte[][]::new);
        return redis.translate(redis.async().hdel(keys.groupOffsets(groupId), fields), "deleting offsets of group " + groupId)
                .thenApply(n -> null);
    }

    @Override
    public CompletionStage<Long> expireOffsets(String groupId, Map<TopicPartition, CommittedOffset> expired) {
        byte[][] args = new byte[expired.size() * 2][];
        int i = 0;
        for (Map.Entry<TopicPartition, CommittedOffset> e : expired.entrySet()) {
            args[i++] = field(e.getKey());
            args[i++] = encode(e.getValue());
        }
        return redis.translate(expire.run(redis.async(), ScriptOutputType.INTEGER, keys.groupOffsets(groupId), args),
                "expiring offsets of group " + groupId);
    }

    @Override
    public CompletionStage<Void> deleteGroup(String groupId) {
        CompletableFuture<Long> offsets = redis.async().unlink(keys.groupOffsets(groupId)).toCompletableFuture();
        CompletableFuture<Long> entry = redis.async().hdel(keys.groups(), RedisKeys.bytes(groupId)).toCompletableFuture();
        CompletableFuture<Long> empty = redis.async().hdel(keys.groupsEmptySince(), RedisKeys.bytes(groupId)).toCompletableFuture();
        return redis.translate(CompletableFuture.allOf(offsets, entry, empty), "deleting group " + groupId);
    }

    @Override
    public CompletionStage<Map<String, Long>> emptySince() {
        return redis.translate(redis.async().hgetall(keys.groupsEmptySince()), "reading when groups became empty")
                .thenApply(all -> {
                    Map<String, Long> out = new HashMap<>();
                    all.forEach((k, v) -> out.put(text(k), Long.parseLong(text(v))));
                    return out;
                });
    }

    @Override
    public CompletionStage<Void> emptySince(String groupId, long sinceMs) {
        CompletionStage<?> done = sinceMs < 0
                ? redis.async().hdel(keys.groupsEmptySince(), RedisKeys.bytes(groupId))
                : redis.async().hset(keys.groupsEmptySince(), RedisKeys.bytes(groupId), RedisKeys.bytes(Long.toString(sinceMs)));
        return redis.translate(done, "recording when group " + groupId + " became empty").thenApply(v -> null);
    }

    private static byte[] field(TopicPartition tp) {
        return RedisKeys.bytes(tp.topic() + ":" + tp.partition());
    }

    static byte[] encode(CommittedOffset o) {
        return RedisKeys.bytes(o.offset() + "," + o.leaderEpoch() + "," + o.commitTimestamp() + "," + (o.metadata() == null ? "" : o.metadata()));
    }

    static TopicPartition partition(String field) {
        int colon = field.lastIndexOf(':');
        return new TopicPartition(field.substring(0, colon), Integer.parseInt(field.substring(colon + 1)));
    }

    static CommittedOffset decode(String value) {
        String[] parts = value.split(",", 4);
        return new CommittedOffset(Long.parseLong(parts[0]), Integer.parseInt(parts[1]),
                parts.length > 3 ? parts[3] : "", Long.parseLong(parts[2]));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
