package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.korvet.storage.PartitionState;
import io.korvet.storage.PartitionStore;
import io.korvet.storage.StorageException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * An idempotent producer's batch that failed because its partition could not be loaded is not overtaken: a later batch
 * of the same producer, arriving after a load that succeeds, gets OUT_OF_ORDER_SEQUENCE_NUMBER until the failed one is
 * sent again, so that the records are written in the producer's order, each once.
 */
class PartitionLogLoadFailureTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long PID = 7;
    private static final short EPOCH = 0;

    /** A store whose first load fails (a Redis timeout), and that remembers what was appended. */
    private final AtomicInteger loads = new AtomicInteger();
    private final List<Long> appendedBases = new ArrayList<>();
    private final List<Integer> appendedSeqs = new ArrayList<>();

    private final PartitionStore store = (PartitionStore) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {PartitionStore.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "loadState" -> {
                        if (loads.getAndIncrement() == 0) {
                            return CompletableFuture.failedFuture(new StorageException.Timeout("Redis did not answer in time", null));
                        }
                        return CompletableFuture.completedFuture(new PartitionState(0, 0, List.of(), 1, new TreeMap<>()));
                    }
                    case "append" -> {
                        appendedBases.add((Long) args[1]);
                        appendedSeqs.add(((BatchHeader) args[3]).baseSequence());
                        return CompletableFuture.completedFuture(null);
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                }
            });

    private static IncomingBatch batch(int seq) {
        return IncomingBatch.records(new BatchHeader(PID, EPOCH, seq, 1, BatchHeader.CREATE_TIME),
                List.of(new NewRecord(1L, null, ("v" + seq).getBytes(), new Header[0])), -1);
    }

    private static Throwable failure(CompletionStage<AppendResult> stage) throws InterruptedException {
        try {
            stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer", e);
        }
    }

    @Test
    void aLaterBatchDoesNotOvertakeOneThatFailedWithTheLoad() throws Exception {
        PartitionLog log = new PartitionLog(TP, store, 100, new ReadAhead.Budget(1 << 20), new LeadershipEvents() {
            @Override
            public void claimed(TopicPartition tp, int leaderEpoch) {
            }

            @Override
            public void lost(TopicPartition tp) {
            }
        });
        // Sequence 0 waits for the first load, which fails.
        assertThat(failure(log.append(batch(0)))).isInstanceOf(StorageException.Timeout.class);
        // Sequence 1 was already on its way: the second load succeeds, but 0 is not written yet.
        assertThat(failure(log.append(batch(1)))).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(appendedSeqs).isEmpty();
        // The producer sends 0 again, then 1: both written, in order.
        assertThat(failure(log.append(batch(0)))).isNull();
        assertThat(failure(log.append(batch(1)))).isNull();
        assertThat(appendedSeqs).containsExactly(0, 1);
        assertThat(appendedBases).containsExactly(0L, 1L);
        // And a retry of 1 is a duplicate, answered with its offset, not written again.
        AppendResult again = log.append(batch(1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.baseOffset()).isEqualTo(1L);
        assertThat(appendedSeqs).containsExactly(0, 1);
    }
}
