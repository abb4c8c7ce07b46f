package io.korvet.storage.redis;

import io.korvet.storage.ShareStateStore;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * Share groups in Redis: per share partition the hash {@code {<stream>}:share:<group>} in the stream's slot (see
 * share_state.lua), per group the set {@code <ns>:group:<id>:share-partitions} of its partitions and the hash
 * {@code <ns>:group:<id>:configs} of its configs.
 */
public final class RedisShareStateStore implements ShareStateStore {

    private static final String START = "spso";

    private final RedisConnector redis;
    private final RedisKeys keys;
    private final LuaScript change = LuaScript.load("share_state");

    public RedisShareStateStore(RedisConnector redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public CompletionStage<Stored> load(String groupId, TopicPartition tp) {
        return redis.translate(redis.async().hgetall(keys.sharePartition(tp, groupId)), "reading share group " + groupId + " of " + tp)
                .thenApply(all -> {
                    String start = null;
                    Map<Long, String> records = new HashMap<>();
                    for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
                        String field = text(e.getKey());
                        if (START.equals(field)) {
                            start = text(e.getValue());
                        } else {
                            records.put(Long.parseLong(field), text(e.getValue()));
                        }
                    }
                    return start == null ? null : new Stored(Long.parseLong(start), records);
                });
    }

    @Override
    public CompletionStage<Void> write(String groupId, TopicPartition tp, boolean reset, long startOffset, Map<Long, String> records,
                                       Iterable<Long> removed) {
        List<byte[]> args = new ArrayList<>();
        args.add(RedisKeys.bytes(reset ? "1" : "0"));
        args.add(RedisKeys.bytes(Long.toString(startOffset)));
        args.add(RedisKeys.bytes(Integer.toString(records.size())));
        records.forEach((offset, value) -> {
            args.add(RedisKeys.bytes(Long.toString(offset)));
            args.add(RedisKeys.bytes(value));
        });
        removed.forEach(offset -> args.add(RedisKeys.bytes(Long.toString(offset))));
        CompletableFuture<Object> written = change.run(redis.async(), ScriptOutputType.INTEGER, keys.sharePartition(tp, groupId),
                args.toArray(new byte[0][])).toCompletableFuture();
        CompletableFuture<Long> listed = redis.async().sadd(keys.sharePartitions(groupId), field(tp)).toCompletableFuture();
        return redis.translate(CompletableFuture.allOf(written, listed), "writing share group " + groupId + " of " + tp);
    }

    @Override
    public CompletionStage<Boolean> isShareGroup(String groupId) {
        return redis.translate(redis.async().hget(keys.groups(), RedisKeys.bytes(groupId)), "reading group " + groupId)
                .thenApply(type -> type != null && "share".equals(text(type)));
    }

    @Override
    public CompletionStage<Set<TopicPartition>> partitions(String groupId) {
        return redis.translate(redis.async().smembers(keys.sharePartitions(groupId)), "listing share partitions of " + groupId)
                .thenApply(all -> {
                    Set<TopicPartition> out = new HashSet<>();
                    all.forEach(f -> out.add(partition(text(f))));
                    return out;
                });
    }

    @Override
    public CompletionStage<Void> delete(String groupId, Set<TopicPartition> partitions) {
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            done.add(redis.async().unlink(keys.sharePartition(tp, groupId)).toCompletableFuture());
            done.add(redis.async().srem(keys.sharePartitions(groupId), field(tp)).toCompletableFuture());
        }
        return redis.translate(CompletableFuture.allOf(done.toArray(new CompletableFuture[0])), "deleting share state of " + groupId);
    }

    @Override
    public CompletionStage<Map<String, String>> configs(String groupId) {
        return redis.translate(redis.async().hgetall(keys.groupConfigs(groupId)), "reading configs of group " + groupId)
                .thenApply(all -> {
                    Map<String, String> out = new HashMap<>();
                    all.forEach((k, v) -> out.put(text(k), text(v)));
                    if (!out.isEmpty()) {
                        // Configs set before the index of configured groups existed are listed from their first read.
                        redis.async().sadd(keys.groupsConfigured(), RedisKeys.bytes(groupId));
                    }
                    return out;
                });
    }

    /**
     * The index of configured groups is updated before the configs are set and after they are cleared, so that a
     * group with configs is always listed (a failure in between can only leave a group listed without configs).
     */
    @Override
    public CompletionStage<Void> setConfigs(String groupId, Map<String, String> configs) {
        byte[] id = RedisKeys.bytes(groupId);
        if (configs.isEmpty()) {
            CompletableFuture<Long> cleared = redis.async().unlink(keys.groupConfigs(groupId)).toCompletableFuture();
            CompletableFuture<Long> unlisted = redis.async().srem(keys.groupsConfigured(), id).toCompletableFuture();
            return redis.translate(CompletableFuture.allOf(cleared, unlisted), "setting configs of group " + groupId);
        }
        Map<byte[], byte[]> fields = new HashMap<>();
        configs.forEach((k, v) -> fields.put(RedisKeys.bytes(k), RedisKeys.bytes(v)));
        CompletableFuture<Long> listed = redis.async().sadd(keys.groupsConfigured(), id).toCompletableFuture();
        CompletableFuture<Long> cleared = redis.async().unlink(keys.groupConfigs(groupId)).toCompletableFuture();
        CompletableFuture<Long> set = redis.async().hset(keys.groupConfigs(groupId), fields).toCompletableFuture();
        return redis.translate(CompletableFuture.allOf(listed, cleared, set), "setting configs of group " + groupId);
    }

    @Override
    public CompletionStage<Set<String>> configuredGroups() {
        return redis.translate(redis.async().smembers(keys.groupsConfigured()), "listing the groups with configs")
                .thenApply(ids -> {
                    Set<String> out = new java.util.TreeSet<>();
                    ids.forEach(id -> out.add(text(id)));
                    return out;
                });
    }

    private static byte[] field(TopicPartition tp) {
        return RedisKeys.bytes(tp.topic() + ":" + tp.partition());
    }

    private static TopicPartition partition(String field) {
        int colon = field.lastIndexOf(':');
        return new TopicPartition(field.substring(0, colon), Integer.parseInt(field.substring(colon + 1)));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
