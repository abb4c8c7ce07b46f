package io.korvet.txn;

import io.korvet.log.TransactionMarker;
import io.korvet.storage.TransactionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator: producer ids and epochs per transactional id (fencing zombies), the partitions and
 * groups of each open transaction, and its end: the decision (PrepareCommit or PrepareAbort) written to Redis first,
 * then the markers in every partition and the group offsets, then the completion. A transaction found decided but
 * not completed (this broker or another died in between) is completed again by {@link TransactionSweeper}; markers
 * written twice are harmless. The state lives in Redis ({@link TransactionStore}); each change is a compare-and-set,
 * and the operations on one transactional id run one after another on this broker.
 */
public final class TransactionCoordinator {

    private static final Logger log = LoggerFactory.getLogger(TransactionCoordinator.class);

    /** The settings, with Kafka's names and defaults. */
    public record Settings(int maxTimeoutMs, long abortCheckIntervalMs, long idExpirationMs) {

        public static Settings from(io.korvet.config.KorvetConfig config) {
            return new Settings(
                    (int) io.korvet.config.KorvetConfig.parseLong("transaction.max.timeout.ms",
                            config.value("transaction.max.timeout.ms"), 1, Integer.MAX_VALUE),
                    io.korvet.config.KorvetConfig.parseLong("transaction.abort.timed.out.transaction.cleanup.interval.ms",
                            config.value("transaction.abort.timed.out.transaction.cleanup.interval.ms"), 1, Long.MAX_VALUE),
                    io.korvet.config.KorvetConfig.parseLong("transactional.id.expiration.ms",
                            config.value("transactional.id.expiration.ms"), 1, Long.MAX_VALUE));
        }
    }

    /** Hands out producer ids (the same counter as idempotent producers'). */
    public interface ProducerIds {
        CompletionStage<Long> next();
    }

    private final TransactionStore store;
    private final ProducerIds producerIds;
    private final MarkerWriter markers;
    private final Settings settings;
    private final LongSupplier clock;
    private volatile Predicate<String> coordinates = id -> true;
    private final ConcurrentHashMap<String, CompletableFuture<?>> chains = new ConcurrentHashMap<>();

    public TransactionCoordinator(TransactionStore store, ProducerIds producerIds, MarkerWriter markers, Settings settings,
                                  LongSupplier clock) {
        this.store = store;
        this.producerIds = producerIds;
        this.markers = markers;
        this.settings = settings;
        this.clock = clock;
    }

    /** From now on this broker coordinates the transactional ids {@code coordinates} accepts. */
    public void coordinate(Predicate<String> coordinates) {
        this.coordinates = coordinates;
    }

    public boolean coordinates(String transactionalId) {
        return coordinates.test(transactionalId);
    }

    Settings settings() {
        return settings;
    }

    TransactionStore store() {
        return store;
    }

    long now() {
        return clock.getAsLong();
    }

    /** Runs {@code op} after every earlier operation on the same transactional id has finished. */
    <T> CompletionStage<T> serialized(String id, Supplier<CompletionStage<T>> op) {
        CompletableFuture<Void> start = new CompletableFuture<>();
        CompletableFuture<T> mine = start.thenCompose(v -> {
            try {
                return op.get();
            } catch (RuntimeException e) {
                return CompletableFuture.<T>failedFuture(e);
            }
        });
        // The chain is linked under the map's lock, and started outside it: op may complete at once.
        CompletableFuture<?> before = chains.put(id, mine);
        mine.whenComplete((v, e) -> chains.remove(id, mine));
        if (before == null) {
            start.complete(null);
        } else {
            before.whenComplete((v, e) -> start.complete(null));
        }
        return mine;
    }

    private CompletionStage<TransactionState> load(String id) {
        return store.get(id).thenApply(raw -> raw == null ? null : TransactionState.decode(raw));
    }

    /** Writes {@code next} where {@code current} was; false when the state changed meanwhile (another coordinator). */
    CompletionStage<Boolean> save(String id, TransactionState current, TransactionState next) {
        return store.replace(id, current == null ? null : current.encode(), next == null ? null : next.encode());
    }

    // ---- InitProducerId ----

    /**
     * InitProducerId for a transactional id: a new producer id, or the same one at the next epoch (fencing the
     * previous producer), after the open transaction, if any, is aborted (or a decided one completed). With
     * {@code expectedProducerId} (KIP-360, a producer bumping its own epoch) the id and epoch must be the current ones.
     */
    public CompletionStage<TxnResult> initProducerId(String id, int timeoutMs, long expectedProducerId, short expectedEpoch) {
        if (!coordinates(id)) {
            return CompletableFuture.completedFuture(TxnResult.of(Errors.NOT_COORDINATOR));
        }
        if (timeoutMs <= 0 || timeoutMs > settings.maxTimeoutMs()) {
            return CompletableFuture.completedFuture(TxnResult.of(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        return serialized(id, () -> load(id).thenCompose(state -> {
            long now = now();
            if (state == null) {
                return producerIds.next().thenCompose(pid -> {
                    TransactionState fresh = new TransactionState(pid, (short) 0, timeoutMs, TxnStatus.EMPTY, -1, now, Set.of(), Set.of());
                    return save(id, null, fresh).thenApply(ok -> ok ? new TxnResult(Errors.NONE, pid, (short) 0)
                            : TxnResult.of(Errors.CONCURRENT_TRANSACTIONS));
                });
            }
            if (expectedProducerId >= 0 && (state.producerId() != expectedProducerId || state.producerEpoch() != expectedEpoch)) {
                return CompletableFuture.completedFuture(TxnResult.of(Errors.PRODUCER_FENCED));
            }
            return settle(id, state).thenCompose(settled -> {
                if (settled == null) {
                    return CompletableFuture.completedFuture(TxnResult.of(Errors.CONCURRENT_TRANSACTIONS));
                }
                return bumped(settled, timeoutMs).thenCompose(next -> save(id, settled, next).thenApply(ok -> ok
                        ? new TxnResult(Errors.NONE, next.producerId(), next.producerEpoch())
                        : TxnResult.of(Errors.CONCURRENT_TRANSACTIONS)));
            });
        }));
    }

    /** The state at the next epoch (a new producer id when the epoch is exhausted), no transaction open. */
    private CompletionStage<TransactionState> bumped(TransactionState s, int timeoutMs) {
        long now = now();
        if (s.producerEpoch() >= Short.MAX_VALUE - 1) {
            return producerIds.next().thenApply(pid -> s.withEpoch(pid, (short) 0, timeoutMs, now));
        }
        return CompletableFuture.completedFuture(s.withEpoch(s.producerId(), (short) (s.producerEpoch() + 1), timeoutMs, now));
    }

    /**
     * Brings the state to rest: an open transaction is aborted (at a bumped epoch, which fences its producer), a
     * decided one completed. Completes with the state at rest, or null when another coordinator changed it.
     */
    CompletionStage<TransactionState> settle(String id, TransactionState state) {
        if (state.status() == TxnStatus.ONGOING) {
            return fenceAndAbort(id, state);
        }
        if (state.status().preparing()) {
            return complete(id, state);
        }
        return CompletableFuture.completedFuture(state);
    }

    /** Aborts the open transaction at the next epoch: its producer's later requests are fenced. */
    CompletionStage<TransactionState> fenceAndAbort(String id, TransactionState state) {
        short epoch = (short) Math.min(Short.MAX_VALUE, state.producerEpoch() + 1);
        TransactionState aborting = new TransactionState(state.producerId(), epoch, state.timeoutMs(), TxnStatus.PREPARE_ABORT,
                state.startedMs(), now(), state.partitions(), state.groups());
        return save(id, state, aborting).thenCompose(ok -> ok ? complete(id, aborting) : CompletableFuture.completedFuture(null));
    }

    /**
     * Writes a decided transaction's markers to each of its partitions and moves its group offsets, then records it
     * complete. Completes with the completed state (null when another coordinator changed it); fails when a marker
     * could not be written (the state stays decided, and the sweeper tries again).
     */
    CompletionStage<TransactionState> complete(String id, TransactionState decided) {
        boolean commit = decided.status() == TxnStatus.PREPARE_COMMIT;
        TransactionMarker marker = new TransactionMarker(decided.producerId(), decided.producerEpoch(), commit, 0);
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        for (TopicPartition tp : decided.partitions()) {
            steps.add(markers.write(tp, marker).toCompletableFuture());
        }
        for (String group : decided.groups()) {
            steps.add(store.completeOffsets(group, decided.producerId(), commit).toCompletableFuture());
        }
        return CompletableFuture.allOf(steps.toArray(new CompletableFuture[0])).thenCompose(v -> {
            TransactionState done = decided.completed(commit ? TxnStatus.COMPLETE_COMMIT : TxnStatus.COMPLETE_ABORT, now());
            return save(id, decided, done).thenApply(ok -> {
                if (ok) {
                    log.debug("Transaction {} of producer {} epoch {} {}: {} partitions, {} groups", id, decided.producerId(),
                            decided.producerEpoch(), commit ? "committed" : "aborted", decided.partitions().size(), decided.groups().size());
                }
                return ok ? done : null;
            });
        });
    }

    // ---- AddPartitionsToTxn, AddOffsetsToTxn, EndTxn ----

    /** The checks every request of a producer in a transaction passes: its id, its epoch, no transaction ending. */
    private static Errors check(TransactionState state, long pid, short epoch) {
        if (state == null || state.producerId() != pid) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (state.producerEpoch() != epoch) {
            return Errors.PRODUCER_FENCED;
        }
        if (state.status().preparing()) {
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        return Errors.NONE;
    }

    /** Adds partitions and groups to the producer's transaction, opening it if none is. */
    public CompletionStage<Errors> add(String id, long pid, short epoch, Set<TopicPartition> partitions, Set<String> groups) {
        if (!coordinates(id)) {
            return CompletableFuture.completedFuture(Errors.NOT_COORDINATOR);
        }
        return serialized(id, () -> load(id).thenCompose(state -> {
            Errors error = check(state, pid, epoch);
            if (error != Errors.NONE) {
                return CompletableFuture.completedFuture(error);
            }
            if (state.status() == TxnStatus.ONGOING && state.partitions().containsAll(partitions)
                    && state.groups().containsAll(groups)) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            return save(id, state, state.adding(partitions, groups, now()))
                    .thenApply(ok -> ok ? Errors.NONE : Errors.CONCURRENT_TRANSACTIONS);
        }));
    }

    /** EndTxn: commits or aborts the producer's transaction; answered once it is complete everywhere. */
    public CompletionStage<Errors> end(String id, long pid, short epoch, boolean commit) {
        if (!coordinates(id)) {
            return CompletableFuture.completedFuture(Errors.NOT_COORDINATOR);
        }
        return serialized(id, () -> load(id).thenCompose(state -> {
            if (state == null || state.producerId() != pid) {
                return CompletableFuture.completedFuture(Errors.INVALID_PRODUCER_ID_MAPPING);
            }
            if (state.producerEpoch() != epoch) {
                return CompletableFuture.completedFuture(Errors.PRODUCER_FENCED);
            }
            TxnStatus wanted = commit ? TxnStatus.PREPARE_COMMIT : TxnStatus.PREPARE_ABORT;
            TxnStatus done = commit ? TxnStatus.COMPLETE_COMMIT : TxnStatus.COMPLETE_ABORT;
            if (state.status() == done) {
                // A retry of an EndTxn that completed.
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            if (state.status() == wanted) {
                return complete(id, state).thenApply(s -> s == null ? Errors.CONCURRENT_TRANSACTIONS : Errors.NONE);
            }
            if (state.status() != TxnStatus.ONGOING) {
                return CompletableFuture.completedFuture(Errors.INVALID_TXN_STATE);
            }
            TransactionState decided = state.with(wanted, now());
            return save(id, state, decided).thenCompose(ok -> ok ? complete(id, decided) : CompletableFuture.completedFuture(null))
                    .thenApply(s -> s == null ? Errors.CONCURRENT_TRANSACTIONS : Errors.NONE);
        }));
    }

    /**
     * Whether the producer's open transaction holds {@code tp} (KIP-890: a partition leader checks this before the
     * first transactional batch of a transaction); answers for any coordinator, from Redis.
     */
    public CompletionStage<Errors> verify(String id, long pid, short epoch, TopicPartition tp) {
        return load(id).thenApply(state -> {
            if (state == null || state.producerId() != pid) {
                return Errors.INVALID_PRODUCER_ID_MAPPING;
            }
            if (state.producerEpoch() > epoch) {
                return Errors.INVALID_PRODUCER_EPOCH;
            }
            return state.producerEpoch() == epoch && state.status() == TxnStatus.ONGOING && state.partitions().contains(tp)
                    ? Errors.NONE : Errors.INVALID_TXN_STATE;
        });
    }

    /** Whether the producer's open transaction holds the group (TxnOffsetCommit, after AddOffsetsToTxn). */
    public CompletionStage<Errors> verifyGroup(String id, long pid, short epoch, String groupId) {
        return load(id).thenApply(state -> {
            if (state == null || state.producerId() != pid) {
                return Errors.INVALID_PRODUCER_ID_MAPPING;
            }
            if (state.producerEpoch() != epoch) {
                return Errors.PRODUCER_FENCED;
            }
            return state.status() == TxnStatus.ONGOING && state.groups().contains(groupId) ? Errors.NONE : Errors.INVALID_TXN_STATE;
        });
    }

    /** Every transactional id's state, as Redis holds it (DescribeTransactions, ListTransactions). */
    public CompletionStage<java.util.Map<String, TransactionState>> states() {
        return store.all().thenApply(all -> {
            java.util.Map<String, TransactionState> out = new java.util.TreeMap<>();
            all.forEach((id, raw) -> out.put(id, TransactionState.decode(raw)));
            return out;
        });
    }
}
