package io.korvet.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.group.share.SharePartitionState.Acquired;
import io.korvet.storage.AbortedTxn;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class AbortedRecordsTest {

    @Test
    void acquiredRangesLoseTheAbortedPartsAndKeepTheirDeliveryCounts() {
        List<long[]> skip = List.of(new long[] {3, 5}, new long[] {8, 8});
        List<Acquired> acquired = List.of(new Acquired(0, 9, 1), new Acquired(12, 14, 2));

        assertThat(AbortedRecords.without(acquired, skip)).containsExactly(
                new Acquired(0, 2, 1), new Acquired(6, 7, 1), new Acquired(9, 9, 1), new Acquired(12, 14, 2));
        assertThat(AbortedRecords.within(acquired, skip)).containsExactly(new long[] {3, 5}, new long[] {8, 8});
    }

    @Test
    void anAcquiredRangeInsideAnAbortedOneIsGoneWhole() {
        List<long[]> skip = List.of(new long[] {0, 10});
        assertThat(AbortedRecords.without(List.of(new Acquired(2, 4, 1)), skip)).isEmpty();
        assertThat(AbortedRecords.within(List.of(new Acquired(2, 4, 1)), skip)).containsExactly(new long[] {2, 4});
    }

    @Test
    void theBatchesOfAnAbortedTransactionBeforeItsMarkerAreAborted() {
        // Producer 7's transaction from offset 0, aborted by its marker at 6; producer 9's committed one at 3-4.
        List<RecordBatch> batches = List.of(
                batch(MemoryRecords.withTransactionalRecords(0, Compression.NONE, 7L, (short) 0, 0, 0, records(3))),
                batch(MemoryRecords.withTransactionalRecords(3, Compression.NONE, 9L, (short) 0, 0, 0, records(2))),
                batch(MemoryRecords.withTransactionalRecords(5, Compression.NONE, 7L, (short) 0, 3, 0, records(1))),
                batch(MemoryRecords.withRecords(7, Compression.NONE, records(2))),
                batch(MemoryRecords.withTransactionalRecords(9, Compression.NONE, 7L, (short) 0, 4, 0, records(1))));

        assertThat(AbortedRecords.ranges(batches, List.of(new AbortedTxn(7, 0, 6))))
                .containsExactly(new long[] {0, 2}, new long[] {5, 5});
    }

    private static SimpleRecord[] records(int n) {
        SimpleRecord[] out = new SimpleRecord[n];
        for (int i = 0; i < n; i++) {
            out[i] = new SimpleRecord(("v" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    private static RecordBatch batch(MemoryRecords records) {
        return records.batches().iterator().next();
    }

    @Test
    void nothingIsAbortedWithoutAbortedTransactions() {
        assertThat(AbortedRecords.ranges(List.of(), List.of(new AbortedTxn(1, 0, 5)))).isEmpty();
        assertThat(AbortedRecords.ranges(List.of(), null)).isEmpty();
    }
}
