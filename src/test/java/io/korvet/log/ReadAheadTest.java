package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.StoredRecord;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

    private final List<Long> reads = new ArrayList<>();

    private CompletableFuture<List<StoredRecord>> reader(long from, int count) {
        reads.add(from);
        return CompletableFuture.completedFuture(List.of(new StoredRecord(from, 1, null, null, new org.apache.kafka.common.header.Header[0], null)));
    }

    @Test
    void aReadMadeAheadServesOneFetchFromExactlyThatOffset() {
        ReadAhead.Budget budget = new ReadAhead.Budget(1000);
        ReadAhead<List<StoredRecord>> ahead = new ReadAhead<>(budget, this::reader);

        ahead.start(100, 10, 300);
        ahead.start(100, 10, 300);

        assertThat(reads).containsExactly(100L);
        assertThat(budget.used()).isEqualTo(300);
        assertThat(ahead.take(99)).isNull();
        assertThat(ahead.take(100).join()).extracting(StoredRecord::offset).containsExactly(100L);
        assertThat(ahead.take(100)).as("taken once").isNull();
        assertThat(budget.used()).isZero();
    }

    @Test
    void theBrokerWideBudgetAndThePerPartitionCapHoldMemoryDown() {
        ReadAhead.Budget budget = new ReadAhead.Budget(1000);
        ReadAhead<List<StoredRecord>> a = new ReadAhead<>(budget, this::reader);
        ReadAhead<List<StoredRecord>> b = new ReadAhead<>(budget, this::reader);

        a.start(0, 10, 600);
        b.start(0, 10, 600);
        assertThat(b.size()).as("over the shared budget: not read").isZero();

        for (long from = 10; from < 10 + 2 * ReadAhead.MAX_PER_PARTITION; from++) {
            a.start(from, 1, 10);
        }
        assertThat(a.size()).isEqualTo(ReadAhead.MAX_PER_PARTITION);
        assertThat(a.take(0)).as("the oldest went first").isNull();
        assertThat(budget.used()).isEqualTo(10L * ReadAhead.MAX_PER_PARTITION);

        a.clear();
        assertThat(a.size()).isZero();
        assertThat(budget.used()).isZero();
        b.start(0, 10, 600);
        assertThat(b.size()).isOne();
    }

    @Test
    void recordsTakenByAFetchAreNotKeptUntilTheExpiry() throws InterruptedException {
        ReadAhead<List<StoredRecord>> ahead = new ReadAhead<>(new ReadAhead.Budget(1000), this::reader);
        WeakReference<List<StoredRecord>> taken = startAndTake(ahead);

        for (int i = 0; i < 100 && taken.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }

        assertThat(taken.get()).as("collectable long before the %d ms expiry", ReadAhead.EXPIRY_MS).isNull();
    }

    private WeakReference<List<StoredRecord>> startAndTake(ReadAhead<List<StoredRecord>> ahead) {
        ahead.start(7, 1, 10);
        return new WeakReference<>(ahead.take(7).join());
    }
}
