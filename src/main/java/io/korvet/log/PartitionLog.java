package io.korvet.log;

import io.korvet.Failures;
import io.korvet.log.ProducerStateTable.CachedBatch;
import io.korvet.storage.PartitionState;
import io.korvet.storage.PartitionStore;
import io.korvet.storage.StorageException;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.StoredRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's view of one partition: it assigns offsets, checks idempotent-producer sequences, appends
 * each batch with one fenced call, and wakes fetches waiting for new records.
 *
 * <p>Everything here is a cache of the stream in Redis. After any failed append the cache is dropped and
 * rebuilt from the stream before the next one, so a write whose outcome was unknown is found again
 * (and a retry of it recognised as a duplicate) instead of being guessed at.
 */
public final class PartitionLog {

    private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

    private final TopicPartition tp;
    private final PartitionStore store;
    private final int producerStateScan;

    // Guarded by this.
    private boolean loaded;
    /** Set when the partition is deleted: no append is sent from then on. */
    private boolean closed;
    private CompletableFuture<Void> loading;
    /** The last append sent; appends complete in order, so when it is done all are. */
    private CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);
    private int generation;
    private long nextOffset;
    private ProducerStateTable producers = new ProducerStateTable();
    private TransactionTracker transactions = new TransactionTracker();
    private final List<Runnable> listeners = new ArrayList<>();
    /** Appends that arrived while the state was loading, in arrival order. */
    private final java.util.ArrayDeque<WaitingAppend> waitingForLoad = new java.util.ArrayDeque<>();

    private record WaitingAppend(IncomingBatch batch, CompletableFuture<AppendResult> result) {
    }

    /** The leader epoch this broker claimed the partition at, -1 while it holds no claim. */
    private volatile int leaderEpoch = -1;
    /** Each leader epoch of the partition to the offset it started at, as of the last load. */
    private volatile NavigableMap<Integer, Long> epochStarts = new TreeMap<>();
    private final LeadershipEvents events;
    /** Bumped by every {@link #resign}: a load that started before one does not make this broker the leader. */
    private int resignations;
    private volatile long highWatermark;
    private volatile long logStartOffset;
    private final PartitionReader reader;

    PartitionLog(TopicPartition tp, PartitionStore store, int producerStateScan, ReadAhead.Budget readAheadBudget,
                 LeadershipEvents events) {
        this.tp = tp;
        this.events = events;
        this.store = store;
        this.producerStateScan = producerStateScan;
        this.reader = new PartitionReader(tp, store, readAheadBudget);
    }

    public TopicPartition topicPartition() {
        return tp;
    }

    /** Offsets below this are in Redis and acknowledged; consumers read up to here. */
    public long highWatermark() {
        return highWatermark;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public int averageRecordBytes() {
        return reader.averageRecordBytes();
    }

    public int averageBatchBytes() {
        return reader.averageBatchBytes();
    }

    /** An idempotent producer's first batch that failed (with a load, or its own append): its epoch and sequence. */
    private record FirstUnwritten(short epoch, int seq) {
    }

    /**
     * Per producer id, the first of its batches that failed (while the partition could not be loaded, or in its own
     * append): after the next load, when the log holds nothing of that producer, a later batch of it is not written
     * before that one is (see {@link ProducerStateTable#expect}).
     */
    private final java.util.Map<Long, FirstUnwritten> unwritten = new java.util.HashMap<>();

    /** Loads the offsets and producer state from the stream, once (again after a failure). */
    public synchronized CompletionStage<Void> ensureLoaded() {
        if (loaded) {
            return CompletableFuture.completedFuture(null);
        }
        if (loading == null) {
            CompletableFuture<Void> load = new CompletableFuture<>();
            loading = load;
            int asOf = resignations;
            store.loadState(tp, producerStateScan, leaderEpoch).whenComplete((state, loadError) -> {
                List<WaitingAppend> waiting;
                Throwable error = loadError;
                synchronized (this) {
                    loading = null;
                    if (error == null && resignations != asOf) {
                        // The broker stopped leading while this load (and its claim) was under way: the claim is
                        // not used, and the leader's next load supersedes it.
                        error = new NotLeaderOrFollowerException("This broker stopped leading " + tp + " while loading it");
                    }
                    if (error == null && apply(state)) {
                        events.claimed(tp, state.leaderEpoch());
                    }
                    waiting = new ArrayList<>(waitingForLoad);
                    waitingForLoad.clear();
                    if (error == null) {
                        unwritten.forEach((pid, first) -> producers.expect(pid, first.epoch(), first.seq()));
                        unwritten.clear();
                    }
                    // Appends that waited are sent in the order they arrived, before any later one.
                    for (WaitingAppend w : waiting) {
                        if (error == null) {
                            appendLoaded(w.batch).whenComplete((r, e) -> complete(w.result, r, e));
                        } else {
                            if (w.batch.idempotent()) {
                                var h = w.batch.header();
                                unwritten.putIfAbsent(h.producerId(), new FirstUnwritten(h.producerEpoch(), h.baseSequence()));
                            }
                            w.result.completeExceptionally(error);
                        }
                    }
                }
                if (error != null) {
                    load.completeExceptionally(error);
                } else {
                    load.complete(null);
                    notifyListeners();
                }
            });
            return load;
        }
        return loading;
    }

    /** Returns whether the state came with a new claim. */
    private boolean apply(PartitionState state) {
        generation++;
        nextOffset = state.nextOffset();
        highWatermark = state.nextOffset();
        // Trims only ever move the start forward; one that finished while loading is not undone.
        logStartOffset = Math.min(Math.max(logStartOffset, state.logStartOffset()), state.nextOffset());
        producers = ProducerStateTable.rebuild(state.recentBatches());
        transactions = TransactionTracker.rebuild(state.transactions());
        boolean claimed = state.leaderEpoch() != leaderEpoch;
        if (claimed) {
            log.info("Leading {} at leader epoch {} from offset {}", tp, state.leaderEpoch(), state.nextOffset());
        }
        leaderEpoch = state.leaderEpoch();
        epochStarts = state.epochStarts();
        loaded = true;
        log.debug("Loaded {}: log start {}, next offset {}, {} recent batches", tp, state.logStartOffset(),
                state.nextOffset(), state.recentBatches().size());
        return claimed;
    }

    /**
     * The base offset of the last batch of each idempotent producer this leader remembers: the log cleaner keeps their
     * headers, from which a new leader rebuilds the producers' sequences.
     */
    public synchronized java.util.Set<Long> producersLastBatches() {
        return producers.lastBatchOffsets();
    }

    /** The leader epoch this broker leads the partition at, or -1 when it has not claimed it (yet, or any more). */
    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** OffsetForLeaderEpoch's answer for {@code epoch} ({@link LeaderEpochCache#endOffsetFor}). Call once loaded. */
    public long[] endOffsetFor(int epoch) {
        return LeaderEpochCache.endOffsetFor(epochStarts, leaderEpoch, highWatermark, epoch);
    }

    /**
     * This broker no longer leads the partition (another one does, or will): its state is dropped, so that nothing
     * is appended on a stale claim and a later lead starts from the stream; fetches waiting here wake up.
     */
    public void resign() {
        synchronized (this) {
            if (leaderEpoch < 0 && !loaded && loading == null) {
                return;
            }
            log.info("No longer leading {} (leader epoch {})", tp, leaderEpoch);
            loaded = false;
            leaderEpoch = -1;
            resignations++;
            reader.clear();
            // What this broker knew of failed batches is stale once another broker leads.
            unwritten.clear();
        }
        notifyListeners();
    }

    /**
     * A batch of this idempotent producer failed before it reached this log (see {@link EarlyRejections}): unless the
     * log holds batches of the producer, its next batch written must be that one.
     */
    public synchronized void expectFirst(long producerId, short epoch, int firstSeq) {
        if (loaded) {
            producers.expect(producerId, epoch, firstSeq);
        } else {
            unwritten.putIfAbsent(producerId, new FirstUnwritten(epoch, firstSeq));
        }
    }

    /** Appends a validated batch, or answers a retried duplicate with the offset it got the first time. */
    public synchronized CompletionStage<AppendResult> append(IncomingBatch batch) {
        if (!loaded) {
            CompletableFuture<AppendResult> result = new CompletableFuture<>();
            waitingForLoad.add(new WaitingAppend(batch, result));
            ensureLoaded();
            return result;
        }
        return appendLoaded(batch);
    }

    private static <T> void complete(CompletableFuture<T> target, T value, Throwable error) {
        if (error != null) {
            target.completeExceptionally(error);
        } else {
            target.complete(value);
        }
    }

    private CompletionStage<AppendResult> appendLoaded(IncomingBatch batch) {
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(deleted());
            }
            var header = batch.header();
            if (header.control()) {
                short known = producers.epochOf(header.producerId());
                if (known > header.producerEpoch()) {
                    // A marker of an epoch the producer was since fenced beyond: that transaction ended already.
                    log.info("Not writing a marker of producer {} at epoch {} to {}: the partition has seen epoch {}",
                            header.producerId(), header.producerEpoch(), tp, known);
                    return CompletableFuture.completedFuture(new AppendResult(-1, logStartOffset, true));
                }
            } else if (batch.idempotent()) {
                ProducerStateTable.Check check = producers.check(header.producerId(), header.producerEpoch(),
                        header.baseSequence(), header.lastSequence());
                if (check instanceof ProducerStateTable.Duplicate d) {
                    CachedBatch original = d.original();
                    return original.written().thenApply(v -> new AppendResult(original.baseOffset(), logStartOffset, true));
                }
                if (check instanceof ProducerStateTable.Reject r) {
                    return CompletableFuture.failedFuture(r.error());
                }
            }
            long base = nextOffset;
            int count = batch.count();
            nextOffset += count;
            int gen = generation;
            int epoch = leaderEpoch;
            CompletableFuture<Void> written = new CompletableFuture<>();
            lastWrite = written;
            if (header.control()) {
                producers.marker(header.producerId(), header.producerEpoch());
                transactions.end(header.producerId(), base, header.abortMarker());
            } else if (batch.idempotent()) {
                producers.record(header.producerId(), header.producerEpoch(),
                        new CachedBatch(header.baseSequence(), header.lastSequence(), base, written));
                if (header.transactional()) {
                    transactions.begin(header.producerId(), base);
                }
            }
            reader.appended(batch);
            CompletionStage<Void> stored = batch.isStored()
                    ? store.appendBatch(tp, base, epoch, batch.toNewBatch(base, epoch))
                    : store.append(tp, base, epoch, header, batch.records());
            stored.whenComplete((v, error) -> {
                if (error == null) {
                    advanceHighWatermark(base + count);
                    written.complete(null);
                } else {
                    if (batch.idempotent()) {
                        synchronized (this) {
                            // Maybe written (a timeout), maybe not: the reload tells, and if it finds nothing of this
                            // producer, its next batch must be this one again.
                            unwritten.putIfAbsent(header.producerId(), new FirstUnwritten(header.producerEpoch(),
                                    header.baseSequence()));
                        }
                    }
                    invalidate(gen, error);
                    written.completeExceptionally(error);
                }
            });
            return written.thenApply(v -> new AppendResult(base, logStartOffset, false));
        }
    }

    private void advanceHighWatermark(long offset) {
        synchronized (this) {
            if (offset <= highWatermark) {
                return;
            }
            highWatermark = offset;
        }
        notifyListeners();
    }

    private void invalidate(int gen, Throwable error) {
        Throwable cause = Failures.cause(error);
        if (cause instanceof StorageException.LeaderMoved) {
            synchronized (this) {
                if (gen == generation && loaded) {
                    log.info("Another broker claimed {} (this broker held leader epoch {})", tp, leaderEpoch);
                    loaded = false;
                    leaderEpoch = -1;
                }
            }
            events.lost(tp);
            return;
        }
        synchronized (this) {
            if (gen == generation && loaded) {
                loaded = false;
                log.warn("Append to {} failed ({}); its state will be reloaded from Redis before the next append", tp,
                        error.getMessage());
            }
        }
    }

    /**
     * Writes the marker that ends a producer's transaction in this partition, as the transaction coordinator asks;
     * a marker of an epoch the producer was since fenced beyond is not written (the transaction ended already).
     */
    public CompletionStage<AppendResult> appendMarker(TransactionMarker marker, io.korvet.storage.StreamFormat format) {
        return append(marker.toBatch(format, System.currentTimeMillis()));
    }

    /** The last stable offset: the high watermark, or the first offset of the oldest transaction still open before it. */
    public synchronized long lastStableOffset() {
        return transactions.lastStableOffset(highWatermark);
    }

    /** The aborted transactions a read_committed fetch of {@code [from, upTo)} names. Call once loaded. */
    public synchronized List<io.korvet.storage.AbortedTxn> abortedTransactions(long from, long upTo) {
        return transactions.abortedBetween(from, upTo);
    }

    /** Per producer, the last of its transactional batches still waiting for their transaction to be verified. */
    private final java.util.Map<Long, CompletableFuture<AppendResult>> verifying = new java.util.HashMap<>();

    /**
     * Appends a transactional batch, first asking {@code verify} (KIP-890: is this partition in the producer's open
     * transaction?) unless the producer's transaction is open here already. A producer's batches keep their order:
     * while one of its batches waits for its check, the later ones wait behind it.
     */
    public CompletionStage<AppendResult> appendTransactional(IncomingBatch batch,
                                                             java.util.function.Supplier<CompletionStage<Void>> verify) {
        long pid = batch.header().producerId();
        CompletableFuture<AppendResult> result;
        synchronized (this) {
            CompletableFuture<AppendResult> before = verifying.get(pid);
            if (before == null && loaded && transactions.ongoing(pid)) {
                return append(batch);
            }
            CompletableFuture<Void> turn = before == null ? CompletableFuture.completedFuture(null)
                    : before.handle((r, e) -> null);
            result = turn.thenCompose(v -> inTransaction(pid) ? append(batch)
                    : verify.get().thenCompose(ok -> append(batch))).toCompletableFuture();
            verifying.put(pid, result);
        }
        result.whenComplete((r, e) -> {
            synchronized (this) {
                verifying.remove(pid, result);
            }
        });
        return result;
    }

    /** Whether the record of {@code producerId} at {@code offset} belongs to an aborted transaction (the cleaner). */
    public synchronized boolean isAborted(long producerId, long offset) {
        return transactions.isAborted(producerId, offset);
    }

    /** Whether the producer has a transaction open in this partition (its first batch here was written). */
    public synchronized boolean inTransaction(long producerId) {
        return loaded && transactions.ongoing(producerId);
    }

    /** A producer that wrote here, as DescribeProducers shows it; {@code txnStartOffset} -1 when none is open. */
    public record ActiveProducer(long producerId, short epoch, int lastSequence, long txnStartOffset) {
    }

    /** The producers this partition's state knows (from its recent batches and open transactions). Call once loaded. */
    public synchronized List<ActiveProducer> activeProducers() {
        java.util.Map<Long, Long> open = transactions.ongoingSnapshot();
        List<ActiveProducer> out = new ArrayList<>();
        for (ProducerStateTable.Active a : producers.active()) {
            out.add(new ActiveProducer(a.producerId(), a.epoch(), a.lastSequence(), open.getOrDefault(a.producerId(), -1L)));
        }
        return out;
    }

    /** Whether the state is loaded: the offsets read here are then current. */
    public synchronized boolean isLoaded() {
        return loaded;
    }

    /**
     * DeleteRecords: removes the records below {@code offset} ({@code -1}: the high watermark) and moves the
     * log start offset there, as Kafka does; an offset past the high watermark is OFFSET_OUT_OF_RANGE.
     * Completes with the log start offset after it (unchanged when it was already past {@code offset}).
     */
    public CompletionStage<Long> deleteRecordsBefore(long offset) {
        return ensureLoaded().thenCompose(v -> {
            long hw = highWatermark;
            long target = offset == -1 ? hw : offset;
            if (target < 0) {
                throw new OffsetOutOfRangeException("The offset " + target + " for partition " + tp + " is not valid");
            }
            if (target > hw) {
                throw new OffsetOutOfRangeException("Cannot increment the log start offset to " + target + " of partition "
                        + tp + " since it is larger than the high watermark " + hw);
            }
            if (target <= logStartOffset) {
                return CompletableFuture.completedFuture(logStartOffset);
            }
            return store.trim(tp, target).thenApply(start -> {
                advanceLogStartOffset(start);
                return logStartOffset;
            });
        });
    }

    /**
     * Moves the log start offset forward after records were trimmed (never past the high watermark, never
     * back). Ignored while the state is not loaded: loading reads it from the stream.
     */
    public synchronized void advanceLogStartOffset(long offset) {
        if (!loaded) {
            return;
        }
        long bounded = Math.min(offset, highWatermark);
        if (bounded > logStartOffset) {
            logStartOffset = bounded;
            transactions.trimBelow(bounded);
        }
    }

    /**
     * The partition is deleted: appends are refused from now on (UNKNOWN_TOPIC_OR_PARTITION), waiting
     * fetches wake up. Completes when the appends already sent to Redis are done, so that none lands after
     * the stream is removed.
     */
    public CompletionStage<Void> close() {
        List<WaitingAppend> waiting;
        CompletableFuture<Void> last;
        synchronized (this) {
            closed = true;
            reader.clear();
            waiting = new ArrayList<>(waitingForLoad);
            waitingForLoad.clear();
            last = lastWrite;
        }
        for (WaitingAppend w : waiting) {
            w.result.completeExceptionally(deleted());
        }
        notifyListeners();
        return last.handle((v, e) -> null);
    }

    private UnknownTopicOrPartitionException deleted() {
        return new UnknownTopicOrPartitionException("Partition " + tp + " was deleted");
    }

    /**
     * Records from {@code offset} on, below the high watermark, at most {@code maxRecords} (a {@code record}-format
     * stream): what was read ahead from that offset when there is such a read, else read now.
     */
    public CompletionStage<List<StoredRecord>> read(long offset, int maxRecords) {
        return reader.read(offset, maxRecords, highWatermark);
    }

    /** As {@link #read(long, int)}, below {@code bound} (at most the high watermark: the last stable offset, say). */
    public CompletionStage<List<StoredRecord>> read(long offset, int maxRecords, long bound) {
        return reader.read(offset, maxRecords, Math.min(bound, highWatermark));
    }

    /**
     * Up to {@code maxBatches} batches of a {@code batch}-format stream, from the one holding {@code offset} on, all
     * below the high watermark.
     */
    public CompletionStage<StoredBatches> readBatches(long offset, int maxBatches) {
        return reader.readBatches(offset, maxBatches, highWatermark);
    }

    /** As {@link #readBatches(long, int)}, below {@code bound} (at most the high watermark). */
    public CompletionStage<StoredBatches> readBatches(long offset, int maxBatches, long bound) {
        return reader.readBatches(offset, maxBatches, Math.min(bound, highWatermark));
    }

    /**
     * Starts reading up to {@code maxRecords} records (or {@code maxBatches} batches, for a {@code batch}-format
     * stream) from {@code offset} for the Fetch that a consumer which was just answered up to there is expected to
     * send next; nothing when it is at the high watermark.
     */
    public void readAhead(long offset, int maxRecords, boolean batches) {
        if (closed()) {
            return;
        }
        if (batches) {
            reader.readAheadBatches(offset, maxRecords, highWatermark);
        } else {
            reader.readAhead(offset, maxRecords, highWatermark);
        }
    }

    private synchronized boolean closed() {
        return closed;
    }

    /** Runs {@code listener} once, the next time the high watermark moves. */
    public void onNextAppend(Runnable listener) {
        synchronized (listeners) {
            listeners.add(listener);
        }
    }

    public void removeListener(Runnable listener) {
        synchronized (listeners) {
            listeners.remove(listener);
        }
    }

    private void notifyListeners() {
        List<Runnable> toRun;
        synchronized (listeners) {
            if (listeners.isEmpty()) {
                return;
            }
            toRun = new ArrayList<>(listeners);
            listeners.clear();
        }
        for (Runnable r : toRun) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("A fetch waiting on {} failed to wake up", tp, e);
            }
        }
    }
}
