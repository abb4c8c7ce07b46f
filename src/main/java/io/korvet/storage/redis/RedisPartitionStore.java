package io.korvet.storage.redis;

import io.korvet.storage.AbortedTxn;
import io.korvet.storage.BatchHeader;
import io.korvet.storage.TxnIndex;
import io.korvet.storage.NewBatch;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.NewRecord;
import io.korvet.storage.PartitionState;
import io.korvet.storage.PartitionStore;
import io.korvet.storage.StorageException;
import io.korvet.storage.StoredRecord;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandKeyword;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** Partition logs as Redis Streams; see {@link StreamEntryCodec} for the entry layout. */
public final class RedisPartitionStore implements PartitionStore {

    private static final int TIMESTAMP_CHUNK = 1000;

    private final RedisConnector redis;
    private final RedisKeys keys;
    private final LuaScript append = LuaScript.load("append");
    private final byte[] appendSha = append.shaBytes();
    private final LuaScript appendFence = LuaScript.load("append_fence");
    private final byte[] appendFenceSha = appendFence.shaBytes();
    private final LuaScript loadState = LuaScript.load("load_state");
    private final LuaScript timestamps = LuaScript.load("timestamps");
    private final LuaScript offsets = LuaScript.load("offsets");
    private final LuaScript trim = LuaScript.load("trim");
    private final LuaScript trimToSize = LuaScript.load("trim_to_size");

    private final String nodeId;

    /** @param nodeId this broker's id, which its claims of partitions name */
    public RedisPartitionStore(RedisConnector redis, RedisKeys keys, int nodeId) {
        this.redis = redis;
        this.keys = keys;
        this.nodeId = Integer.toString(nodeId);
    }

    /** The leader key's value while this broker leads a partition at {@code epoch}. */
    private byte[] leaderValue(int epoch) {
        return RedisKeys.bytes(epoch + " " + nodeId);
    }

    /** Loads every script into Redis's script cache, so that appends never need to send one. */
    public CompletionStage<Void> preloadScripts() {
        return redis.translate(CompletableFuture.allOf(
                append.preload(redis.async()).toCompletableFuture(),
                appendFence.preload(redis.async()).toCompletableFuture(),
                loadState.preload(redis.async()).toCompletableFuture(),
                timestamps.preload(redis.async()).toCompletableFuture(),
                offsets.preload(redis.async()).toCompletableFuture(),
                trim.preload(redis.async()).toCompletableFuture(),
                trimToSize.preload(redis.async()).toCompletableFuture()), "loading scripts");
    }

    @Override
    public CompletionStage<PartitionState> loadState(TopicPartition tp, int scanEntries, int heldEpoch) {
        byte[][] keys8 = {keys.partition(tp), keys.partitionStart(tp), keys.partitionNext(tp), keys.partitionAppending(tp),
                keys.partitionLeader(tp), keys.partitionEpochs(tp), keys.partitionTxns(tp), keys.partitionAborted(tp)};
        CompletionStage<List<Object>> reply = loadState.run(redis.async(), ScriptOutputType.MULTI, keys8,
                RedisKeys.bytes(Integer.toString(scanEntries)), RedisKeys.bytes(nodeId),
                heldEpoch < 0 ? new byte[0] : leaderValue(heldEpoch));
        return redis.translate(reply, "loading " + tp).thenApply(list -> {
            long start = (Long) list.get(0);
            long next = (Long) list.get(1);
            String leader = text(list.get(2));
            int epoch = Integer.parseInt(leader.substring(0, leader.indexOf(' ')));
            int epochCount = (int) (long) (Long) list.get(3);
            NavigableMap<Integer, Long> epochStarts = new TreeMap<>();
            int i = 4;
            for (int e = 0; e < epochCount; e++, i += 2) {
                epochStarts.put((int) (long) (Long) list.get(i), (Long) list.get(i + 1));
            }
            Map<Long, Long> ongoing = new HashMap<>();
            int ongoingCount = (int) (long) (Long) list.get(i++);
            for (int t = 0; t < ongoingCount; t++, i += 2) {
                ongoing.put(Long.parseLong(text(list.get(i))), Long.parseLong(text(list.get(i + 1))));
            }
            List<AbortedTxn> aborted = new ArrayList<>();
            int abortedCount = (int) (long) (Long) list.get(i++);
            for (int t = 0; t < abortedCount; t++) {
                aborted.add(AbortedTxn.decode(text(list.get(i++))));
            }
            List<PartitionState.RecentBatch> batches = new ArrayList<>();
            for (; i + 1 < list.size(); i += 2) {
                long offset = (Long) list.get(i);
                batches.add(new PartitionState.RecentBatch(offset, BatchHeader.decode(text(list.get(i + 1)))));
            }
            return new PartitionState(start, next, batches, epoch, epochStarts, new TxnIndex(ongoing, aborted));
        });
    }

    @Override
    public CompletionStage<long[]> offsets(TopicPartition tp) {
        CompletionStage<List<Object>> reply = offsets.run(redis.async(), ScriptOutputType.MULTI,
                new byte[][] {keys.partition(tp), keys.partitionStart(tp), keys.partitionNext(tp)});
        return redis.translate(reply, "reading the offsets of " + tp)
                .thenApply(list -> new long[] {(Long) list.get(0), (Long) list.get(1)});
    }

    @Override
    public CompletionStage<Void> append(TopicPartition tp, long baseOffset, int leaderEpoch, BatchHeader header,
                                        List<NewRecord> records) {
        RawCommand<List<Object>> command = AppendCommand.records(appendSha, keys.partition(tp), keys.partitionNext(tp),
                keys.partitionLeader(tp), baseOffset, leaderValue(leaderEpoch), header, records, txnUpdate(tp, header, baseOffset));
        CompletionStage<List<Object>> reply = append.runInOrder(redis.async(), () -> redis.dispatch(command));
        return redis.translate(reply, "appending to " + tp).thenApply(list -> {
            if ((Long) list.get(0) == -1L) {
                throw new StorageException.LeaderMoved(tp.toString(), leaderEpoch);
            }
            if ((Long) list.get(0) != 1L) {
                throw new StorageException.Fenced(baseOffset, (Long) list.get(1));
            }
            return null;
        });
    }

    /** One transaction, the batch's bytes never in Lua: see {@link BatchAppend}. */
    @Override
    public CompletionStage<Void> appendBatch(TopicPartition tp, long baseOffset, int leaderEpoch, NewBatch batch) {
        BatchAppend a = BatchAppend.of(appendFenceSha, keys.partition(tp), keys.partitionNext(tp), keys.partitionAppending(tp),
                keys.partitionLeader(tp), baseOffset, leaderValue(leaderEpoch), batch, txnUpdate(tp, batch.header(), baseOffset));
        CompletionStage<BatchAppend.Outcome> reply = redis.dispatchTogether(keys.partition(tp), a.queued, a.exec).thenApply(outcome -> {
            if (outcome.error() != null) {
                if (outcome.error().contains("NOSCRIPT")) {
                    appendFence.preload(redis.async());
                }
                // An error reply inside EXEC: translated (and counted) as Redis's error replies are.
                throw new RedisCommandExecutionException(outcome.error());
            }
            return outcome;
        });
        return redis.translate(reply, "appending to " + tp).thenApply(outcome -> {
            if (outcome.leaderMoved()) {
                throw new StorageException.LeaderMoved(tp.toString(), leaderEpoch);
            }
            if (outcome.fenced()) {
                throw new StorageException.Fenced(baseOffset, outcome.actualNextOffset());
            }
            return null;
        });
    }

    /** The update of the transaction index an append of a batch with this header makes, or null (not transactional). */
    private TxnUpdate txnUpdate(TopicPartition tp, BatchHeader header, long baseOffset) {
        if (!header.transactional()) {
            return null;
        }
        byte action = !header.control() ? (byte) 'B' : header.abortMarker() ? (byte) 'A' : (byte) 'C';
        return new TxnUpdate(keys.partitionTxns(tp), keys.partitionAborted(tp), action, header.producerId(), baseOffset);
    }

    @Override
    public CompletionStage<TxnIndex> transactionIndex(TopicPartition tp, long fromOffset) {
        CompletableFuture<Map<byte[], byte[]>> ongoing = redis.async().hgetall(keys.partitionTxns(tp)).toCompletableFuture();
        CompletableFuture<List<byte[]>> aborted = redis.async().zrangebyscore(keys.partitionAborted(tp),
                io.lettuce.core.Range.create((double) fromOffset, Double.POSITIVE_INFINITY)).toCompletableFuture();
        return redis.translate(ongoing.thenCombine(aborted, (o, a) -> {
            Map<Long, Long> open = new HashMap<>();
            o.forEach((k, v) -> open.put(Long.parseLong(text(k)), Long.parseLong(text(v))));
            List<AbortedTxn> list = new ArrayList<>();
            a.forEach(m -> list.add(AbortedTxn.decode(text(m))));
            return new TxnIndex(open, list);
        }), "reading the transactions of " + tp);
    }

    @Override
    public CompletionStage<List<StoredRecord>> read(TopicPartition tp, long fromOffset, int maxRecords) {
        return redis.translate(redis.readAsync().dispatch(CommandType.XRANGE, new StoredRecordsOutput(),
                fromOffsetOn(tp, fromOffset, maxRecords)), "reading " + tp);
    }

    @Override
    public CompletionStage<StoredBatches> readBatches(TopicPartition tp, long fromOffset, int maxBatches) {
        return redis.translate(redis.readAsync().dispatch(CommandType.XRANGE, new StoredBatchesOutput(),
                fromOffsetOn(tp, fromOffset, maxBatches)), "reading " + tp);
    }

    @Override
    public CompletionStage<TimestampLookup> findByTimestamp(TopicPartition tp, long fromOffset, long timestamp, int scanLimit) {
        CompletableFuture<TimestampLookup> result = new CompletableFuture<>();
        scan(tp, fromOffset, scanLimit, (first, last, ts) -> ts >= timestamp, null, result);
        return result;
    }

    @Override
    public CompletionStage<TimestampLookup> findMaxTimestamp(TopicPartition tp) {
        CompletableFuture<TimestampLookup> result = new CompletableFuture<>();
        TimestampLookup[] best = {null};
        scan(tp, 0, Integer.MAX_VALUE, (first, last, ts) -> {
            if (best[0] == null || ts > best[0].timestamp()) {
                best[0] = new TimestampLookup(true, first, ts, last);
            }
            return false;
        }, best, result);
        return result;
    }

    // Trims never fence and commute with appends, so they may be re-sent when Redis lost its scripts (run).

    @Override
    public CompletionStage<Long> trim(TopicPartition tp, long beforeOffset) {
        CompletionStage<Long> reply = trim.run(redis.async(), ScriptOutputType.INTEGER, streamAndStart(tp),
                RedisKeys.bytes(Long.toString(beforeOffset)));
        return redis.translate(reply, "trimming " + tp);
    }

    @Override
    public CompletionStage<Long> trimToSize(TopicPartition tp, long maxBytes, long maxStartOffset) {
        CompletionStage<Long> reply = trimToSize.run(redis.async(), ScriptOutputType.INTEGER, streamAndStart(tp),
                RedisKeys.bytes(Long.toString(maxBytes)), RedisKeys.bytes(Long.toString(maxStartOffset)));
        return redis.translate(reply, "trimming " + tp + " to size");
    }

    @Override
    public CompletionStage<Long> storedBytes(TopicPartition tp) {
        return redis.translate(redis.async().memoryUsage(keys.partition(tp)), "measuring " + tp)
                .thenApply(bytes -> bytes == null ? 0L : bytes);
    }

    @Override
    public CompletionStage<Void> delete(TopicPartition tp) {
        return redis.translate(redis.async().unlink(keys.partition(tp), keys.partitionStart(tp),
                keys.partitionNext(tp), keys.partitionAppending(tp), keys.partitionLeader(tp), keys.partitionEpochs(tp),
                keys.partitionCleaner(tp), keys.partitionCompacting(tp), keys.partitionCompacted(tp),
                keys.partitionTxns(tp), keys.partitionAborted(tp)), "deleting " + tp)
                .thenCompose(n -> redis.translate(redis.async().hdel(keys.leaders(),
                        RedisKeys.bytes(tp.topic() + ":" + tp.partition())), "deleting " + tp))
                .thenApply(n -> null);
    }

    /**
     * {@code XRANGE <stream> <offset>-0 + COUNT <n>}: from the entry holding {@code fromOffset} on, in either format
     * (an entry's ID is its last offset).
     */
    private CommandArgs<byte[], byte[]> fromOffsetOn(TopicPartition tp, long fromOffset, int count) {
        return new CommandArgs<>(ByteArrayCodec.INSTANCE)
                .addKey(keys.partition(tp))
                .add(fromOffset + "-0")
                .add("+")
                .add(CommandKeyword.COUNT)
                .add(count);
    }

    /** The keys of the scripts that move the log start offset: the stream, its start key, its aborted transactions. */
    private byte[][] streamAndStart(TopicPartition tp) {
        return new byte[][] {keys.partition(tp), keys.partitionStart(tp), keys.partitionAborted(tp)};
    }

    private interface Visitor {
        /** Returns true to stop at this entry (a record, or a batch from {@code first} to {@code last}). */
        boolean visit(long first, long last, long timestamp);
    }

    /** Walks (offset, timestamp) pairs chunk by chunk, so Redis is never blocked by one long scan. */
    private void scan(TopicPartition tp, long from, long budget, Visitor visitor, TimestampLookup[] best,
                      CompletableFuture<TimestampLookup> result) {
        int count = (int) Math.min(TIMESTAMP_CHUNK, budget);
        CompletionStage<List<Object>> reply = timestamps.run(redis.async(), ScriptOutputType.MULTI, keys.partition(tp),
                RedisKeys.bytes(from + "-0"), RedisKeys.bytes(Integer.toString(count)));
        redis.translate(reply, "searching timestamps of " + tp).whenComplete((list, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            long last = from - 1;
            for (int i = 0; i + 2 < list.size(); i += 3) {
                long first = (Long) list.get(i);
                last = (Long) list.get(i + 1);
                long ts = (Long) list.get(i + 2);
                if (visitor.visit(first, last, ts)) {
                    result.complete(new TimestampLookup(true, first, ts, last));
                    return;
                }
            }
            int seen = list.size() / 3;
            if (seen < count || budget - seen <= 0) {
                if (best != null) {
                    result.complete(best[0]);
                } else {
                    result.complete(new TimestampLookup(false, seen < count ? -1 : last + 1, -1, -1));
                }
                return;
            }
            scan(tp, last + 1, budget - seen, visitor, best, result);
        });
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }
}
