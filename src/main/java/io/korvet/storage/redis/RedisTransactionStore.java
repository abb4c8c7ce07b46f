package io.korvet.storage.redis;

import io.korvet.storage.GroupStore.CommittedOffset;
import io.korvet.storage.TransactionStore;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * Transactions in Redis: the hash {@code <ns>:transactions} (transactional id to its encoded state, changed by
 * compare-and-set, hash_replace.lua) and per group the hash {@code <ns>:group:<id>:txn-offsets}, field
 * {@code <producer id>:<topic>:<partition>}, holding offsets of open transactions in the encoding of the group's
 * committed offsets. Ending a transaction copies its offsets into the group's offsets before removing them, so
 * that ending it again (after a crash in between) writes the same offsets again and nothing else.
 */
public final class RedisTransactionStore implements TransactionStore {

    private final RedisConnector redis;
    private final RedisKeys keys;
    private final LuaScript hashReplace = LuaScript.load("hash_replace");

    public RedisTransactionStore(RedisConnector redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public CompletionStage<String> get(String transactionalId) {
        return redis.translate(redis.async().hget(keys.transactions(), RedisKeys.bytes(transactionalId)),
                "reading transaction " + transactionalId).thenApply(b -> b == null ? null : text(b));
    }

    @Override
    public CompletionStage<Map<String, String>> all() {
        return redis.translate(redis.async().hgetall(keys.transactions()), "reading the transactions").thenApply(all -> {
            Map<String, String> out = new HashMap<>();
            all.forEach((k, v) -> out.put(text(k), text(v)));
            return out;
        });
    }

    @Override
    public CompletionStage<Boolean> replace(String transactionalId, String expected, String next) {
        CompletionStage<Long> done = hashReplace.run(redis.async(), ScriptOutputType.INTEGER, keys.transactions(),
                RedisKeys.bytes(transactionalId),
                RedisKeys.bytes(expected == null ? "0" : "1"), RedisKeys.bytes(expected == null ? "" : expected),
                RedisKeys.bytes(next == null ? "0" : "1"), RedisKeys.bytes(next == null ? "" : next));
        return redis.translate(done, "writing transaction " + transactionalId).thenApply(n -> n == 1L);
    }

    @Override
    public CompletionStage<Void> stageOffsets(String groupId, long producerId, Map<TopicPartition, CommittedOffset> offsets) {
        if (offsets.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        offsets.forEach((tp, o) -> fields.put(RedisKeys.bytes(producerId + ":" + tp.topic() + ":" + tp.partition()),
                RedisGroupStore.encode(o)));
        return redis.translate(redis.async().hset(keys.groupTxnOffsets(groupId), fields),
                "holding transactional offsets of group " + groupId).thenApply(n -> null);
    }

    @Override
    public CompletionStage<Void> completeOffsets(String groupId, long producerId, boolean commit) {
        String prefix = producerId + ":";
        String what = (commit ? "committing" : "dropping") + " transactional offsets of group " + groupId;
        return redis.translate(redis.async().hgetall(keys.groupTxnOffsets(groupId)), what).thenCompose(all -> {
            Map<byte[], byte[]> toCommit = new LinkedHashMap<>();
            List<byte[]> held = new ArrayList<>();
            all.forEach((k, v) -> {
                String field = text(k);
                if (field.startsWith(prefix)) {
                    held.add(k);
                    toCommit.put(RedisKeys.bytes(field.substring(prefix.length())), v);
                }
            });
            if (held.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            CompletionStage<?> written = commit
                    ? redis.translate(redis.async().hset(keys.groupOffsets(groupId), toCommit), what)
                    : CompletableFuture.completedFuture(null);
            return written.thenCompose(v -> redis.translate(redis.async().hdel(keys.groupTxnOffsets(groupId),
                    held.toArray(new byte[0][])), what)).thenApply(n -> null);
        });
    }

    @Override
    public CompletionStage<Set<TopicPartition>> pendingOffsets(String groupId) {
        return redis.translate(redis.async().hkeys(keys.groupTxnOffsets(groupId)), "reading transactional offsets of group "
                + groupId).thenApply(fields -> {
                    Set<TopicPartition> out = new HashSet<>();
                    for (byte[] f : fields) {
                        String field = text(f);
                        out.add(RedisGroupStore.partition(field.substring(field.indexOf(':') + 1)));
                    }
                    return out;
                });
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
