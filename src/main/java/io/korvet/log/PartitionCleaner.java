package io.korvet.log;

import io.korvet.storage.CompactionStore;
import io.korvet.storage.CompactionStore.Rewrite;
import io.korvet.storage.PartitionStore;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.BufferSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compaction pass over one partition, on the partition's leader, in bounded steps (it blocks its cleaner thread,
 * never Redis):
 * <ol>
 * <li>the active segment rolls if due, and the pass stops unless the partition is worth cleaning (see
 * {@link CleaningPlan});</li>
 * <li>the dirty part, from the checkpoint to the first uncleanable offset, is read in chunks into an {@link OffsetMap}
 * of each key's latest offset;</li>
 * <li>the log is copied from its first entry, chunk by chunk, into a companion stream, leaving out the entries whose
 * records all go and rewriting the batches that keep some ({@link BatchCompaction}); past the cleaned part entries are
 * copied as they are;</li>
 * <li>one short atomic step copies what was appended meanwhile and swaps the copy in, with the new checkpoint.</li>
 * </ol>
 * Every step is fenced by the leader claim: a broker that lost the partition stops at its next step. Offsets never
 * change, and the log's first entry stays, so the log start offset does not move.
 */
final class PartitionCleaner {

    private static final Logger log = LoggerFactory.getLogger(PartitionCleaner.class);
    /** Records (record format) or batches (batch format) read at once. */
    static final int RECORD_CHUNK = 500;
    static final int BATCH_CHUNK = 8;
    /** Bytes of entries decided on and copied in one step (Lua moves them at about 2 ns a byte, and more). */
    static final long CHUNK_BYTES = 128 << 10;

    /** The bytes of the map of keys ({@code log.cleaner.dedupe.buffer.size}) and how full it may get. */
    record Limits(long dedupeBytes, double loadFactor) {
    }

    private final PartitionStore store;
    private final CompactionStore compaction;
    private final CompactionTransactions transactions;
    private final Limits limits;
    private final BufferSupplier buffers = BufferSupplier.create();

    PartitionCleaner(PartitionStore store, CompactionStore compaction, CompactionTransactions transactions, Limits limits) {
        this.store = store;
        this.compaction = compaction;
        this.transactions = transactions;
        this.limits = limits;
    }

    /** Cleans the partition if it is worth it. Returns whether it did. */
    boolean clean(PartitionLog partition, boolean batchFormat, CleaningPlan.Settings s, long now) throws Exception {
        TopicPartition tp = partition.topicPartition();
        int epoch = partition.leaderEpoch();
        long hw = partition.highWatermark();
        if (!partition.isLoaded() || epoch < 0) {
            return false;
        }
        long logStart = await(store.offsets(tp))[0];
        long[] before = await(compaction.size(tp));
        CleanerCheckpoint stored = CleanerCheckpoint.from(await(compaction.checkpoint(tp)));
        CleanerCheckpoint cp = CleaningPlan.roll(stored, hw, logStart, before[1], now, s);
        if (!cp.equals(stored)) {
            await(compaction.saveCheckpoint(tp, epoch, cp.fields()));
        }
        long firstDirty = Math.max(cp.cleanedTo(), logStart);
        long tooRecent = firstTooRecent(tp, firstDirty, CleaningPlan.tooRecentFrom(now, s.minLagMs()));
        // As Kafka's cleaner, never past the last stable offset: an open transaction may still be aborted.
        long stable = transactions.firstUnstableOffset(tp, Math.min(hw, partition.lastStableOffset()));
        long uncleanable = CleaningPlan.firstUncleanable(cp.segmentStart(), stable, tooRecent);
        long firstDirtyTimestamp = s.maxLagMs() < Long.MAX_VALUE && uncleanable > firstDirty ? timestampAt(tp, firstDirty) : -1;
        if (!CleaningPlan.worthCleaning(firstDirty, uncleanable, cp.kept(), firstDirtyTimestamp, now, s)) {
            return false;
        }
        long started = System.nanoTime();
        OffsetMap map = new OffsetMap(limits.dedupeBytes(), limits.loadFactor(), uncleanable - firstDirty);
        long end = batchFormat ? mapBatches(tp, firstDirty, uncleanable, map) : mapRecords(tp, firstDirty, uncleanable, map);
        if (end <= firstDirty) {
            log.warn("Cannot compact {}: log.cleaner.dedupe.buffer.size holds too few keys for one batch", tp);
            return false;
        }
        // Producers' last batches stay as empty batches in the batch format; in the record format they would stay as
        // visible records (superseded values, tombstones), so there they go and a new leader forgets those producers.
        RecordRetention retention = new RecordRetention(tp, map, cp.tombstonesRemovableBelow(now, s.deleteRetentionMs()),
                batchFormat ? partition.producersLastBatches() : java.util.Set.of(), transactions);
        StreamRebuild copy = new StreamRebuild(compaction, tp, epoch);
        if (batchFormat) {
            copyBatches(copy, logStart, end, hw, retention, now, s.deleteRetentionMs());
        } else {
            copyRecords(copy, logStart, end, hw, retention);
        }
        if (!copy.swapIn(cp.afterPass(end, copy.recordsAfter, now))) {
            return false;
        }
        long[] after = await(compaction.size(tp));
        log.info("Compacted {} below offset {}: entries {} -> {}, records {} -> {} (cleaned part), bytes {} -> {}, {} keys, {} ms",
                tp, end, before[0], after[0], copy.recordsBefore, copy.recordsAfter, before[1], after[1], map.size(),
                (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    /** The first offset at or after {@code from} whose timestamp is at or after {@code cutoff} (MAX_VALUE: none). */
    private long firstTooRecent(TopicPartition tp, long from, long cutoff) throws Exception {
        if (cutoff == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        PartitionStore.TimestampLookup found = await(store.findByTimestamp(tp, from, cutoff, 100_000));
        return found.found() || found.offset() >= 0 ? found.offset() : Long.MAX_VALUE;
    }

    private long timestampAt(TopicPartition tp, long offset) throws Exception {
        PartitionStore.TimestampLookup found = await(store.findByTimestamp(tp, offset, Long.MIN_VALUE, 1));
        return found.found() ? found.timestamp() : -1;
    }

    /** Maps the keys of the records from {@code from} to {@code to}; returns where the map stopped (at most {@code to}). */
    private long mapRecords(TopicPartition tp, long from, long to, OffsetMap map) throws Exception {
        long next = from;
        while (next < to) {
            List<StoredRecord> chunk = await(store.read(tp, next, RECORD_CHUNK));
            if (chunk.isEmpty()) {
                return to;
            }
            for (StoredRecord r : chunk) {
                if (r.offset() >= to) {
                    return to;
                }
                boolean control = r.batch() != null && r.batch().control();
                if (r.key() != null && !control && RecordRetention.mapped(transactions, tp, r.batch() == null ? -1
                        : r.batch().producerId(), r.offset(), r.batch() != null && r.batch().transactional())) {
                    if (map.isFull() && map.get(r.key()) < 0) {
                        return r.offset();
                    }
                    map.put(r.key(), r.offset());
                }
                next = r.offset() + 1;
            }
        }
        return to;
    }

    /**
     * How many batch entries the next read asks for: about {@link #CHUNK_BYTES} of them at the size of the last ones
     * read, at most {@link #BATCH_CHUNK}. Producers' batches range from a few KiB to a MiB (librdkafka's default
     * batch.size); a fixed count read eight 1 MiB batches in one XRANGE, which held Redis for 11 ms.
     */
    static int batchesPerRead(StoredBatches last) {
        if (last.isEmpty()) {
            return 1;
        }
        long average = Math.max(1, last.bytesThrough(last.count() - 1) / last.count());
        return (int) Math.max(1, Math.min(BATCH_CHUNK, CHUNK_BYTES / average));
    }

    /** As {@link #mapRecords} for whole batches: the pass cleans up to a batch boundary. */
    private long mapBatches(TopicPartition tp, long from, long to, OffsetMap map) throws Exception {
        long next = from;
        int count = 1;
        while (next < to) {
            StoredBatches chunk = await(store.readBatches(tp, next, count));
            if (chunk.isEmpty()) {
                return to;
            }
            count = batchesPerRead(chunk);
            for (int i = 0; i < chunk.count(); i++) {
                if (chunk.lastOffset(i) >= to) {
                    return chunk.baseOffset(i) <= from ? to : Math.min(to, chunk.baseOffset(i));
                }
                if (!BatchCompaction.mapKeys(chunk.batch(i), map,
                        (pid, offset, txn) -> RecordRetention.mapped(transactions, tp, pid, offset, txn), buffers)) {
                    return chunk.baseOffset(i);
                }
                next = chunk.lastOffset(i) + 1;
            }
        }
        return to;
    }

    /** Copies the record entries below {@code end}, leaving out the records that go, then the rest as it is. */
    private void copyRecords(StreamRebuild copy, long logStart, long end, long hw, RecordRetention retention) throws Exception {
        long next = logStart;
        boolean first = true;
        while (next < end) {
            List<StoredRecord> chunk = await(store.read(copy.tp, next, RECORD_CHUNK));
            List<Long> drops = new ArrayList<>();
            long through = -1;
            for (StoredRecord r : chunk) {
                if (r.offset() >= end) {
                    break;
                }
                // Transactional records carry their batch's header (a continuation after the first), markers theirs.
                long pid = r.batch() == null ? -1 : r.batch().producerId();
                boolean entryStays = retention.keepEntry(r.offset(), first || r.offset() + 1 >= hw);
                boolean keep = r.batch() != null && r.batch().control()
                        ? retention.keepMarker(pid, r.offset(), r.batch().abortMarker()) || entryStays
                        : retention.keep(r.offset(), r.key() == null ? null : ByteBuffer.wrap(r.key()), r.value() != null, pid,
                                r.batch() != null && r.batch().transactional(), entryStays);
                first = false;
                copy.recordsBefore++;
                if (keep) {
                    copy.recordsAfter++;
                } else {
                    drops.add(r.offset());
                }
                through = r.offset();
            }
            if (through < 0) {
                break;
            }
            copy.step(through, drops.stream().mapToLong(Long::longValue).toArray(), List.of());
            next = through + 1;
        }
        copy.rest(RECORD_CHUNK);
    }

    /** Copies the batches below {@code end}, leaving out or rewriting the ones whose records go, then the rest as is. */
    private void copyBatches(StreamRebuild copy, long logStart, long end, long hw, RecordRetention retention, long now,
                             long deleteRetentionMs)
            throws Exception {
        long next = logStart;
        boolean first = true;
        int count = 1;
        while (next < end) {
            StoredBatches chunk = await(store.readBatches(copy.tp, next, count));
            count = batchesPerRead(chunk);
            List<Long> drops = new ArrayList<>();
            List<Rewrite> rewrites = new ArrayList<>();
            long through = -1;
            long bytes = 0;
            for (int i = 0; i < chunk.count() && chunk.lastOffset(i) < end && (i == 0 || bytes < CHUNK_BYTES); i++) {
                ByteBuffer batch = chunk.batch(i);
                bytes += batch.remaining();
                BatchCompaction.Outcome o = BatchCompaction.filter(batch, first || chunk.lastOffset(i) + 1 >= hw, retention, now,
                        deleteRetentionMs, buffers);
                first = false;
                copy.recordsBefore += o.recordsBefore();
                copy.recordsAfter += o.recordsAfter();
                switch (o.kind()) {
                    case DROP -> drops.add(chunk.lastOffset(i));
                    case REWRITE -> rewrites.add(new Rewrite(chunk.lastOffset(i), o.data(), o.maxTimestamp()));
                    case KEEP -> { }
                }
                through = chunk.lastOffset(i);
            }
            if (through < 0) {
                break;
            }
            copy.step(through, drops.stream().mapToLong(Long::longValue).toArray(), rewrites);
            next = through + 1;
        }
        copy.rest(BATCH_CHUNK);
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
