package io.korvet.txn;

import io.korvet.cluster.Periodic;
import io.netty.util.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}, over the transactional ids this broker
 * coordinates: aborts the transactions open longer than their producer's {@code transaction.timeout.ms} (at a bumped
 * epoch, fencing the producer, as Kafka does); completes the transactions decided but not completed (the broker that
 * decided them died, or a marker could not be written); and forgets the ids idle longer than
 * {@code transactional.id.expiration.ms}.
 */
public final class TransactionSweeper {

    private static final Logger log = LoggerFactory.getLogger(TransactionSweeper.class);
    /** How long a decided transaction is left to the operation completing it before the sweeper completes it. */
    private static final long DECIDED_GRACE_MS = 2_000;

    private final TransactionCoordinator coordinator;
    private final Timer timer;
    private volatile Periodic runs;

    public TransactionSweeper(TransactionCoordinator coordinator, Timer timer) {
        this.coordinator = coordinator;
        this.timer = timer;
    }

    public void start() {
        runs = Periodic.everyAfter(timer, coordinator.settings().abortCheckIntervalMs(), "Checking transactions for timeouts",
                this::sweep);
    }

    public void stop() {
        Periodic p = runs;
        if (p != null) {
            p.close();
        }
    }

    /** One pass over the transactions; completes when every action it started is done. */
    public CompletionStage<Void> sweep() {
        return coordinator.store().all().thenCompose(all -> {
            long now = coordinator.now();
            List<CompletableFuture<?>> actions = new ArrayList<>();
            for (Map.Entry<String, String> e : all.entrySet()) {
                String id = e.getKey();
                if (!coordinator.coordinates(id)) {
                    continue;
                }
                TransactionState s = TransactionState.decode(e.getValue());
                if (s.status() == TxnStatus.ONGOING && now - s.startedMs() > s.timeoutMs()) {
                    actions.add(act(id, e.getValue(), "aborting timed-out transaction", state -> coordinator.fenceAndAbort(id, state)));
                } else if (s.status().preparing() && now - s.updatedMs() > DECIDED_GRACE_MS) {
                    actions.add(act(id, e.getValue(), "completing decided transaction", state -> coordinator.complete(id, state)));
                } else if (s.status().idle() && now - s.updatedMs() > coordinator.settings().idExpirationMs()) {
                    actions.add(act(id, e.getValue(), "expiring transactional id",
                            state -> coordinator.save(id, state, null).thenApply(ok -> state)));
                }
            }
            return CompletableFuture.allOf(actions.toArray(new CompletableFuture[0]));
        });
    }

    /** Runs {@code action} in the id's turn, if its state is still the one read. */
    private CompletableFuture<?> act(String id, String raw, String what,
                                     java.util.function.Function<TransactionState, CompletionStage<TransactionState>> action) {
        return coordinator.serialized(id, () -> coordinator.store().get(id).thenCompose(current -> {
            if (!raw.equals(current)) {
                return CompletableFuture.completedFuture(null);
            }
            TransactionState s = TransactionState.decode(raw);
            log.info("{} '{}' (producer {} epoch {}, {} partitions)", Character.toUpperCase(what.charAt(0)) + what.substring(1),
                    id, s.producerId(), s.producerEpoch(), s.partitions().size());
            return action.apply(s);
        })).toCompletableFuture().exceptionally(e -> {
            log.warn("Failed {} '{}': {}", what, id, e.getMessage());
            return null;
        });
    }
}
