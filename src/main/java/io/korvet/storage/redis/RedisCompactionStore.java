package io.korvet.storage.redis;

import io.korvet.storage.CompactionStore;
import io.korvet.storage.StorageException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * The log cleaner's steps on Redis: compact_copy.lua builds the compacted stream in the companion key
 * {@code {<stream>}:compacting} a bounded chunk at a time, compact_swap.lua puts it in the stream's place in one short
 * atomic step that also copies what was appended meanwhile. Every step checks the partition's leader key, as appends
 * do: a broker that lost the partition can neither write the copy nor swap it in.
 */
public final class RedisCompactionStore implements CompactionStore {

    private final RedisConnector redis;
    private final RedisKeys keys;
    private final String nodeId;
    private final LuaScript copy = LuaScript.load("compact_copy");
    private final LuaScript swap = LuaScript.load("compact_swap");
    private final LuaScript checkpoint = LuaScript.load("compact_checkpoint");

    public RedisCompactionStore(RedisConnector redis, RedisKeys keys, int nodeId) {
        this.redis = redis;
        this.keys = keys;
        this.nodeId = Integer.toString(nodeId);
    }

    private byte[] leaderValue(int epoch) {
        return RedisKeys.bytes(epoch + " " + nodeId);
    }

    @Override
    public CompletionStage<Map<String, String>> checkpoint(TopicPartition tp) {
        return redis.translate(redis.async().hgetall(keys.partitionCleaner(tp)), "reading the cleaner checkpoint of " + tp)
                .thenApply(raw -> {
                    Map<String, String> fields = new LinkedHashMap<>();
                    raw.forEach((k, v) -> fields.put(text(k), text(v)));
                    return fields;
                });
    }

    @Override
    public CompletionStage<Void> saveCheckpoint(TopicPartition tp, int leaderEpoch, Map<String, String> fields) {
        List<byte[]> args = new ArrayList<>();
        args.add(leaderValue(leaderEpoch));
        fields.forEach((k, v) -> {
            args.add(RedisKeys.bytes(k));
            args.add(RedisKeys.bytes(v));
        });
        CompletionStage<Long> reply = checkpoint.run(redis.async(), ScriptOutputType.INTEGER,
                new byte[][] {keys.partitionLeader(tp), keys.partitionCleaner(tp)}, args.toArray(new byte[0][]));
        return redis.translate(reply, "saving the cleaner checkpoint of " + tp).thenApply(r -> {
            if (r == -1L) {
                throw new StorageException.LeaderMoved(tp.toString(), leaderEpoch);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<CopyStep> copy(TopicPartition tp, int leaderEpoch, long afterLastOffset, long throughLastOffset,
                                          int maxEntries, long maxBytes, long[] drops, List<Rewrite> rewrites) {
        List<byte[]> args = new ArrayList<>();
        args.add(leaderValue(leaderEpoch));
        args.add(afterLastOffset < 0 ? new byte[0] : id(afterLastOffset));
        args.add(throughLastOffset == Long.MAX_VALUE ? RedisKeys.bytes("+") : id(throughLastOffset));
        args.add(RedisKeys.bytes(Integer.toString(maxEntries)));
        args.add(RedisKeys.bytes(Long.toString(maxBytes)));
        args.add(RedisKeys.bytes(Integer.toString(drops.length)));
        for (long d : drops) {
            args.add(id(d));
        }
        for (Rewrite r : rewrites) {
            args.add(id(r.lastOffset()));
            args.add(r.data());
            args.add(RedisKeys.bytes(Long.toString(r.maxTimestamp())));
        }
        // Re-sent in full when Redis lost its scripts: a copy step writes only the private copy, and again alike.
        CompletionStage<List<Object>> reply = copy.run(redis.async(), ScriptOutputType.MULTI,
                new byte[][] {keys.partition(tp), keys.partitionCompacting(tp), keys.partitionLeader(tp)},
                args.toArray(new byte[0][]));
        return redis.translate(reply, "compacting " + tp).thenApply(list -> {
            if ((Long) list.get(0) == -1L) {
                throw new StorageException.LeaderMoved(tp.toString(), leaderEpoch);
            }
            String last = text(list.get(2));
            return new CopyStep((int) (long) (Long) list.get(1), last.isEmpty() ? -1 : StreamEntryCodec.offsetOf(last));
        });
    }

    @Override
    public CompletionStage<Swap> swap(TopicPartition tp, int leaderEpoch, long copiedThrough, int tailLimit, long tailBytes,
                                      Map<String, String> fields) {
        List<byte[]> args = new ArrayList<>();
        args.add(leaderValue(leaderEpoch));
        args.add(id(copiedThrough));
        args.add(RedisKeys.bytes(Integer.toString(tailLimit)));
        args.add(RedisKeys.bytes(Long.toString(tailBytes)));
        fields.forEach((k, v) -> {
            args.add(RedisKeys.bytes(k));
            args.add(RedisKeys.bytes(v));
        });
        byte[][] keys6 = {keys.partition(tp), keys.partitionCompacting(tp), keys.partitionLeader(tp),
                keys.partitionCleaner(tp), keys.partitionAppending(tp), keys.partitionCompacted(tp)};
        CompletionStage<List<Object>> reply = swap.run(redis.async(), ScriptOutputType.MULTI, keys6, args.toArray(new byte[0][]));
        return redis.translate(reply, "swapping in the compacted " + tp).thenApply(list -> {
            long outcome = (Long) list.get(0);
            if (outcome == -1L) {
                throw new StorageException.LeaderMoved(tp.toString(), leaderEpoch);
            }
            return outcome == 1L ? Swap.DONE : outcome == 0L ? Swap.BEHIND : outcome == -2L ? Swap.BUSY : Swap.GONE;
        });
    }

    @Override
    public CompletionStage<long[]> size(TopicPartition tp) {
        CompletableFuture<Long> entries = redis.translate(redis.async().xlen(keys.partition(tp)), "measuring " + tp)
                .toCompletableFuture();
        CompletableFuture<Long> bytes = redis.translate(redis.async().memoryUsage(keys.partition(tp)), "measuring " + tp)
                .toCompletableFuture();
        return entries.thenCombine(bytes, (n, b) -> new long[] {n, b == null ? 0 : b});
    }

    private static byte[] id(long lastOffset) {
        return RedisKeys.bytes(StreamEntryCodec.entryId(lastOffset));
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }
}
