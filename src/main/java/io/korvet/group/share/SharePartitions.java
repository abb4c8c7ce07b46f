package io.korvet.group.share;

import io.korvet.group.GroupConfigs;
import io.korvet.cluster.Periodic;
import io.korvet.Failures;
import io.korvet.group.share.SharePartitionState.Acquired;
import io.korvet.log.PartitionLog;
import io.korvet.log.TimestampSearch;
import io.korvet.storage.PartitionStore;
import io.korvet.storage.AbortedTxn;
import io.korvet.storage.ShareStateStore;
import io.netty.util.Timer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share partitions this broker serves as the partitions' leader: each group's {@link SharePartitionState} of a
 * partition, loaded from Redis (or started at the log's start or end, or by time, by {@code share.auto.offset.reset}),
 * every change written back before it is answered, and the acquisition locks expired by a sweep.
 */
public final class SharePartitions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharePartitions.class);
    private static final long SWEEP_MS = 200;
    static final long WRITE_RETRY_MS = 1_000;

    private record Key(String groupId, TopicPartition tp) {
    }

    private final ShareStateStore store;
    /** The partitions' logs in Redis, for the timestamp search of {@code by_duration:}. */
    private final PartitionStore partitions;
    private final GroupConfigs configs;
    private final Map<Key, CompletableFuture<Handle>> open = new ConcurrentHashMap<>();
    private final ShareSessions sessions = new ShareSessions();
    private final Periodic sweeper;

    public SharePartitions(ShareStateStore store, GroupConfigs configs, Timer timer, PartitionStore partitions) {
        this.store = store;
        this.partitions = partitions;
        this.configs = configs;
        this.sweeper = Periodic.every(timer, SWEEP_MS, "Expiring share partition locks", this::sweep);
    }

    /** The members' share sessions on this broker. */
    public ShareSessions sessions() {
        return sessions;
    }

    public GroupConfigs configs() {
        return configs;
    }

    /** One group's share partition, as a fetch or acknowledgement uses it. */
    public final class Handle {
        private final Key key;
        private final SharePartitionState state;
        private volatile GroupConfigs.Effective config;
        private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
        private final Set<Runnable> listeners = new CopyOnWriteArraySet<>();
        /** When a change whose write failed may be written again; 0 when none waits. */
        private long retryAtMs;
        /** The partition's leader epoch when the state was loaded: a later epoch means another leader may have changed it. */
        private final int leaderEpoch;
        private final PartitionLog partitionLog;

        private Handle(Key key, SharePartitionState state, GroupConfigs.Effective config, PartitionLog partitionLog) {
            this.key = key;
            this.partitionLog = partitionLog;
            this.state = state;
            this.config = config;
            this.leaderEpoch = partitionLog.leaderEpoch();
        }

        public int lockDurationMs() {
            return config.lockDurationMs();
        }

        /** Where to read from: the first record that can be acquired, the log's start moved past first. */
        public synchronized long nextFetchOffset(long logStartOffset) {
            state.logStartMoved(logStartOffset);
            return state.nextFetchOffset();
        }

        /** Whether the group reads committed records only ({@code share.isolation.level=read_committed}). */
        public boolean readCommitted() {
            return config.readCommitted();
        }

        /**
         * Acquires what it can of the offsets a read returned, archiving at once those of the batches of aborted
         * transactions among {@code batches} ({@code aborted} is null for read_uncommitted); completes with what the
         * member gets once the delivery counts are written.
         */
        public CompletionStage<List<Acquired>> acquire(String member, long first, long last, int maxRecords,
                                                       Iterable<? extends RecordBatch> batches, List<AbortedTxn> aborted) {
            List<Acquired> acquired;
            CompletionStage<Void> written;
            synchronized (this) {
                long lockedUntil = System.currentTimeMillis() + config.lockDurationMs();
                acquired = state.acquire(member, first, last, maxRecords, lockedUntil);
                List<long[]> skip = AbortedRecords.ranges(batches, aborted);
                if (!skip.isEmpty()) {
                    for (long[] r : AbortedRecords.within(acquired, skip)) {
                        state.acknowledge(member, r[0], r[1], new byte[] {SharePartitionState.REJECT}, config.deliveryLimit(), lockedUntil);
                    }
                    acquired = AbortedRecords.without(acquired, skip);
                }
                written = persist();
            }
            List<Acquired> delivered = acquired;
            return written.thenApply(v -> delivered);
        }

        /** One acknowledgement batch; completes with its error once the change is written. */
        public CompletionStage<Errors> acknowledge(String member, long first, long last, byte[] types) {
            Errors error;
            CompletionStage<Void> written;
            synchronized (this) {
                error = state.acknowledge(member, first, last, types, config.deliveryLimit(),
                        System.currentTimeMillis() + config.lockDurationMs());
                written = persist();
            }
            if (hasReleases(types)) {
                wake();
            }
            if (error != Errors.NONE) {
                log.debug("Share group {}: acknowledgement of {} offsets {}-{} by member {} refused: {}", key.groupId(), key.tp(),
                        first, last, member, error);
            }
            return written.thenApply(v -> error);
        }

        /** Releases the records the member holds (its share session closed or it left the group). */
        public CompletionStage<Void> releaseMember(String member) {
            CompletionStage<Void> written;
            boolean any;
            synchronized (this) {
                any = state.releaseMember(member, config.deliveryLimit());
                written = persist();
            }
            if (any) {
                wake();
            }
            return written;
        }

        /** Runs {@code listener} once records become available again (a release, an expired lock). */
        public void onAvailable(Runnable listener) {
            listeners.add(listener);
        }

        public void removeListener(Runnable listener) {
            listeners.remove(listener);
        }

        synchronized long startOffset() {
            return state.startOffset();
        }

        synchronized long settledInFlight() {
            return state.settledInFlight();
        }

        private void expire(long nowMs) {
            boolean any;
            synchronized (this) {
                any = state.expireLocks(nowMs, config.deliveryLimit());
                // A change whose write failed is written again once the retry delay has passed.
                if (any || retryAtMs > 0 && nowMs >= retryAtMs) {
                    persist();
                }
            }
            if (any) {
                wake();
            }
        }

        private void wake() {
            for (Runnable r : listeners) {
                listeners.remove(r);
                r.run();
            }
        }

        /** Writes what changed, after every earlier write of this partition (so they land in order). Under the lock. */
        private CompletionStage<Void> persist() {
            if (!state.dirty()) {
                return writes;
            }
            retryAtMs = 0;
            SharePartitionState.Delta d = state.drain();
            writes = writes.handle((v, e) -> null).thenCompose(v -> store.write(key.groupId(), key.tp(), false, d.startOffset(),
                    d.written(), d.removed()).toCompletableFuture()).whenComplete((v, e) -> failed(e, d));
            return writes;
        }

        /**
         * A change that did not reach Redis: the acknowledgements it carried were answered with an error, and the
         * change is taken back to be written again by the sweep after {@value #WRITE_RETRY_MS} ms, so that Redis does
         * not keep an older state of these records (and start offset) than the one in force here.
         */
        private void failed(Throwable e, SharePartitionState.Delta d) {
            if (e == null) {
                return;
            }
            synchronized (this) {
                state.redo(d);
                retryAtMs = System.currentTimeMillis() + WRITE_RETRY_MS;
            }
            log.warn("Share group {}: writing the state of {} failed (start offset {}, {} records), written again in {} ms: {}",
                    key.groupId(), key.tp(), d.startOffset(), d.written().size(), WRITE_RETRY_MS, Failures.cause(e).toString());
        }

        private synchronized CompletionStage<Void> reset(long offset) {
            state.reset(offset);
            SharePartitionState.Delta d = state.drain();
            writes = writes.handle((v, e) -> null).thenCompose(v -> store.write(key.groupId(), key.tp(), true, d.startOffset(),
                    Map.of(), List.of()).toCompletableFuture());
            return writes;
        }
    }

    private static boolean hasReleases(byte[] types) {
        for (byte t : types) {
            if (t == SharePartitionState.RELEASE) {
                return true;
            }
        }
        return false;
    }

    /**
     * The group's share partition of the log's partition: loaded from Redis, or new, starting at the log's start
     * ({@code share.auto.offset.reset=earliest}) or end (latest, the default).
     */
    public CompletionStage<Handle> open(String groupId, PartitionLog partitionLog) {
        Key key = new Key(groupId, partitionLog.topicPartition());
        CompletableFuture<Handle> handle = open.compute(key, (k, loaded) -> loaded == null || stale(loaded, partitionLog)
                ? load(k, partitionLog) : loaded);
        return handle.thenCompose(h -> configs.effective(groupId).thenApply(c -> {
            h.config = c;
            synchronized (h) {
                h.state.limitInFlight(configs.defaults().maxRecordLocks());
            }
            return h;
        })).whenComplete((h, e) -> {
            if (e != null) {
                open.remove(key, handle);
            }
        });
    }

    /** A state loaded under an earlier leader epoch: this broker lost the partition since, and another leader may have moved it on. */
    private static boolean stale(CompletableFuture<Handle> loaded, PartitionLog partitionLog) {
        return loaded.isDone() && !loaded.isCompletedExceptionally() && loaded.join().leaderEpoch != partitionLog.leaderEpoch();
    }

    private CompletableFuture<Handle> load(Key key, PartitionLog partitionLog) {
        return partitionLog.ensureLoaded().thenCompose(loaded -> configs.effective(key.groupId())).thenCompose(config -> store
                .load(key.groupId(), key.tp()).thenCompose(stored -> {
            if (stored != null) {
                return CompletableFuture.completedFuture(new Handle(key, SharePartitionState.restore(stored.startOffset(), stored.records()),
                        config, partitionLog));
            }
            // Only a share group's partitions get state: a fetch naming any other group id leaves nothing in Redis.
            return store.isShareGroup(key.groupId()).thenCompose(isShare -> {
                if (!isShare) {
                    throw new org.apache.kafka.common.errors.GroupIdNotFoundException("Group " + key.groupId() + " is not a share group.");
                }
                return startOffset(config, partitionLog).thenCompose(start -> {
                    Handle h = new Handle(key, new SharePartitionState(start), config, partitionLog);
                    log.info("Share group {} starts {} at offset {}", key.groupId(), key.tp(), start);
                    synchronized (h) {
                        return h.persist().thenApply(x -> h);
                    }
                });
            });
        })).toCompletableFuture();
    }

    /**
     * Where a new share partition starts, by {@code share.auto.offset.reset}: the log's start (earliest), its end
     * (latest), or the first record whose timestamp is at most the duration old ({@code by_duration:}), the end when
     * none is.
     */
    private CompletionStage<Long> startOffset(GroupConfigs.Effective config, PartitionLog partitionLog) {
        if (config.startsByDuration()) {
            long since = System.currentTimeMillis() - config.byDuration().toMillis();
            long end = partitionLog.highWatermark();
            return TimestampSearch.firstAtOrAfter(partitions, partitionLog.topicPartition(), partitionLog.logStartOffset(), since)
                    .thenApply(r -> r.found() && r.offset() < end ? r.offset() : end);
        }
        return CompletableFuture.completedFuture(config.earliest() ? partitionLog.logStartOffset() : partitionLog.highWatermark());
    }

    /** Releases what the member holds in every partition of the group loaded here, and forgets its share session. */
    public void releaseMember(String groupId, String memberId) {
        sessions.forget(groupId, memberId);
        open.forEach((k, f) -> {
            if (k.groupId().equals(groupId) && f.isDone() && !f.isCompletedExceptionally()) {
                f.join().releaseMember(memberId);
            }
        });
    }

    /** The share partition's start offset and its settled records above it, or null when the group has no state for it. */
    public CompletionStage<long[]> offsets(String groupId, TopicPartition tp) {
        CompletableFuture<Handle> f = open.get(new Key(groupId, tp));
        if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
            Handle h = f.join();
            return CompletableFuture.completedFuture(new long[] {h.startOffset(), h.settledInFlight()});
        }
        return store.load(groupId, tp).thenApply(s -> s == null ? null : new long[] {s.startOffset(),
                s.records().values().stream().filter(v -> v.charAt(0) != 'd').count()});
    }

    /** Starts the group's share partition over at {@code offset} (AlterShareGroupOffsets). */
    public CompletionStage<Void> reset(String groupId, TopicPartition tp, long offset) {
        CompletableFuture<Handle> f = open.get(new Key(groupId, tp));
        if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
            return f.join().reset(offset);
        }
        return store.write(groupId, tp, true, offset, Map.of(), List.of());
    }

    /** Forgets the group's state of these partitions, here and in Redis. */
    public CompletionStage<Void> delete(String groupId, Set<TopicPartition> partitions) {
        partitions.forEach(tp -> open.remove(new Key(groupId, tp)));
        return store.delete(groupId, partitions);
    }

    public ShareStateStore store() {
        return store;
    }

    /** Expires the locks that ran out; drops the share partitions this broker no longer leads. */
    private void sweep() {
        long now = System.currentTimeMillis();
        open.forEach((key, f) -> {
            if (!f.isDone() || f.isCompletedExceptionally()) {
                return;
            }
            Handle h = f.join();
            if (h.leaderEpoch != h.partitionLog.leaderEpoch()) {
                // No longer this broker's to change: the next leader loads the state from Redis.
                open.remove(key, f);
            } else {
                h.expire(now);
            }
        });
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.close();
        }
    }
}
