package io.korvet.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.log.TransactionMarker;
import io.korvet.storage.GroupStore.CommittedOffset;
import io.korvet.storage.TransactionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The coordinator's rules over a map standing for Redis: epochs, fencing, the decision before the markers, timeouts. */
class TransactionCoordinatorTest {

    private final Map<String, String> states = new ConcurrentHashMap<>();
    private final List<String> written = new ArrayList<>();
    private boolean markersFail;
    private final AtomicLong clock = new AtomicLong(1_000);
    private final AtomicLong ids = new AtomicLong(100);

    private final TransactionStore store = new TransactionStore() {
        @Override
        public CompletionStage<String> get(String id) {
            return CompletableFuture.completedFuture(states.get(id));
        }

        @Override
        public CompletionStage<Map<String, String>> all() {
            return CompletableFuture.completedFuture(Map.copyOf(states));
        }

        @Override
        public synchronized CompletionStage<Boolean> replace(String id, String expected, String next) {
            boolean same = Objects.equals(states.get(id), expected);
            if (same && next == null) {
                states.remove(id);
            } else if (same) {
                states.put(id, next);
            }
            return CompletableFuture.completedFuture(same);
        }

        @Override
        public CompletionStage<Void> stageOffsets(String g, long pid, Map<TopicPartition, CommittedOffset> offsets) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> completeOffsets(String g, long pid, boolean commit) {
            written.add((commit ? "offsets-commit " : "offsets-drop ") + g);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Set<TopicPartition>> pendingOffsets(String g) {
            return CompletableFuture.completedFuture(Set.of());
        }
    };

    private final MarkerWriter markers = (TopicPartition tp, TransactionMarker m) -> {
        if (markersFail) {
            return CompletableFuture.failedFuture(new IllegalStateException("leader unreachable"));
        }
        written.add((m.commit() ? "commit " : "abort ") + tp + " epoch " + m.producerEpoch());
        return CompletableFuture.completedFuture(null);
    };

    private final TransactionCoordinator coordinator = new TransactionCoordinator(store, () -> CompletableFuture.completedFuture(ids.incrementAndGet()),
            markers, new TransactionCoordinator.Settings(60_000, 1_000, 3_600_000), clock::get);

    private static final TopicPartition TP = new TopicPartition("t", 0);

    private TxnResult init(String id) {
        return coordinator.initProducerId(id, 10_000, -1, (short) -1).toCompletableFuture().join();
    }

    private TransactionState state(String id) {
        return TransactionState.decode(states.get(id));
    }

    @Test
    void eachInitBumpsTheEpochAndFencesThePreviousProducer() {
        TxnResult first = init("a");
        TxnResult second = init("a");

        assertThat(first.error()).isEqualTo(Errors.NONE);
        assertThat(second.producerId()).isEqualTo(first.producerId());
        assertThat(second.producerEpoch()).isEqualTo((short) 1);
        assertThat(coordinator.add("a", first.producerId(), first.producerEpoch(), Set.of(TP), Set.of()).toCompletableFuture().join())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void commitWritesTheDecisionThenMarkersThenCompletes() {
        TxnResult p = init("c");
        assertThat(coordinator.add("c", p.producerId(), p.producerEpoch(), Set.of(TP), Set.of("g")).toCompletableFuture().join())
                .isEqualTo(Errors.NONE);
        assertThat(state("c").status()).isEqualTo(TxnStatus.ONGOING);

        assertThat(coordinator.end("c", p.producerId(), p.producerEpoch(), true).toCompletableFuture().join()).isEqualTo(Errors.NONE);

        assertThat(written).containsExactlyInAnyOrder("commit t-0 epoch 0", "offsets-commit g");
        assertThat(state("c").status()).isEqualTo(TxnStatus.COMPLETE_COMMIT);
        // A retried EndTxn of the same decision succeeds; the other one does not.
        assertThat(coordinator.end("c", p.producerId(), p.producerEpoch(), true).toCompletableFuture().join()).isEqualTo(Errors.NONE);
        assertThat(coordinator.end("c", p.producerId(), p.producerEpoch(), false).toCompletableFuture().join())
                .isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void aDecisionWhoseMarkersFailedIsCompletedByTheSweeper() {
        TxnResult p = init("s");
        coordinator.add("s", p.producerId(), p.producerEpoch(), Set.of(TP), Set.of()).toCompletableFuture().join();
        markersFail = true;

        assertThat(coordinator.end("s", p.producerId(), p.producerEpoch(), true).toCompletableFuture().handle((e, f) -> f)
                .join()).isNotNull();
        assertThat(state("s").status()).isEqualTo(TxnStatus.PREPARE_COMMIT);
        // The producer may not start another transaction before this one is complete.
        assertThat(coordinator.add("s", p.producerId(), p.producerEpoch(), Set.of(TP), Set.of()).toCompletableFuture().join())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        markersFail = false;
        clock.addAndGet(10_000);
        new TransactionSweeper(coordinator, null).sweep().toCompletableFuture().join();

        assertThat(state("s").status()).isEqualTo(TxnStatus.COMPLETE_COMMIT);
        assertThat(written).containsExactly("commit t-0 epoch 0");
    }

    @Test
    void aTimedOutTransactionIsAbortedAtABumpedEpoch() {
        TxnResult p = init("t");
        coordinator.add("t", p.producerId(), p.producerEpoch(), Set.of(TP), Set.of()).toCompletableFuture().join();
        clock.addAndGet(10_001);

        new TransactionSweeper(coordinator, null).sweep().toCompletableFuture().join();

        assertThat(written).containsExactly("abort t-0 epoch 1");
        assertThat(state("t").status()).isEqualTo(TxnStatus.COMPLETE_ABORT);
        assertThat(coordinator.end("t", p.producerId(), p.producerEpoch(), true).toCompletableFuture().join())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void initDuringAnOpenTransactionAbortsItFirst() {
        TxnResult p = init("z");
        coordinator.add("z", p.producerId(), p.producerEpoch(), Set.of(TP), Set.of()).toCompletableFuture().join();

        TxnResult next = init("z");

        assertThat(written).containsExactly("abort t-0 epoch 1");
        assertThat(next.producerEpoch()).isEqualTo((short) 2);
        assertThat(state("z").status()).isEqualTo(TxnStatus.COMPLETE_ABORT);
    }

    @Test
    void kip360RecoveryNeedsTheCurrentEpoch() {
        TxnResult p = init("r");
        assertThat(coordinator.initProducerId("r", 10_000, p.producerId(), (short) 5).toCompletableFuture().join().error())
                .isEqualTo(Errors.PRODUCER_FENCED);
        TxnResult bumped = coordinator.initProducerId("r", 10_000, p.producerId(), p.producerEpoch()).toCompletableFuture().join();
        assertThat(bumped.producerEpoch()).isEqualTo((short) 1);
    }

    @Test
    void timeoutsAboveTheBrokersMaximumAreRefused() {
        assertThat(coordinator.initProducerId("x", 60_001, -1, (short) -1).toCompletableFuture().join().error())
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
    }
}
