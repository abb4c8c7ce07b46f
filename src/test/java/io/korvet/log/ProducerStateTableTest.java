package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.log.ProducerStateTable.Accept;
import io.korvet.log.ProducerStateTable.CachedBatch;
import io.korvet.log.ProducerStateTable.Check;
import io.korvet.log.ProducerStateTable.Duplicate;
import io.korvet.log.ProducerStateTable.Reject;
import io.korvet.storage.BatchHeader;
import io.korvet.storage.PartitionState.RecentBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class ProducerStateTableTest {

    private static final long PID = 4000;
    private static final short EPOCH = 3;

    private final ProducerStateTable table = new ProducerStateTable();

    private void record(ProducerStateTable t, long pid, short epoch, int first, int last, long baseOffset) {
        t.record(pid, epoch, new CachedBatch(first, last, baseOffset, CompletableFuture.completedFuture(null)));
    }

    private void record(int first, int last, long baseOffset) {
        record(table, PID, EPOCH, first, last, baseOffset);
    }

    private static void assertRejected(Check check, Class<? extends Exception> type) {
        assertThat(check).isInstanceOf(Reject.class);
        assertThat(((Reject) check).error()).isInstanceOf(type);
    }

    private static void assertDuplicateOf(Check check, long baseOffset) {
        assertThat(check).isInstanceOf(Duplicate.class);
        assertThat(((Duplicate) check).original().baseOffset()).isEqualTo(baseOffset);
    }

    @Test
    void unknownProducerIsAcceptedAtAnySequence() {
        assertThat(table.check(PID, EPOCH, 0, 4)).isInstanceOf(Accept.class);
        assertThat(table.check(PID, EPOCH, 1234, 1240)).isInstanceOf(Accept.class);
        record(0, 4, 0);
        assertThat(table.check(PID + 1, (short) 0, 77, 80)).as("other producer ids are independent").isInstanceOf(Accept.class);
    }

    @Test
    void anExpectedSequenceHoldsOnlyUntilThatBatchIsWritten() {
        table.expect(PID, EPOCH, 3);
        assertRejected(table.check(PID, EPOCH, 4, 4), OutOfOrderSequenceException.class);
        assertThat(table.check(PID, EPOCH, 3, 3)).isInstanceOf(Accept.class);
        record(3, 3, 10);
        assertThat(table.check(PID, EPOCH, 4, 4)).isInstanceOf(Accept.class);
        // A producer the table knows is not changed by an expectation; a new epoch starts from 0 as usual.
        table.expect(PID, EPOCH, 9);
        assertThat(table.check(PID, EPOCH, 4, 4)).isInstanceOf(Accept.class);
        table.expect(PID + 1, EPOCH, 5);
        assertThat(table.check(PID + 1, (short) (EPOCH + 1), 0, 0)).isInstanceOf(Accept.class);
    }

    @Test
    void nextBatchInSequenceIsAccepted() {
        record(0, 4, 100);

        assertThat(table.check(PID, EPOCH, 5, 9)).isInstanceOf(Accept.class);
        assertThat(table.check(PID, EPOCH, 5, 5)).isInstanceOf(Accept.class);
    }

    @Test
    void retriedBatchIsADuplicateWithItsOriginalOffset() {
        record(0, 4, 100);
        record(5, 9, 105);
        record(10, 10, 110);

        assertDuplicateOf(table.check(PID, EPOCH, 0, 4), 100);
        assertDuplicateOf(table.check(PID, EPOCH, 5, 9), 105);
        assertDuplicateOf(table.check(PID, EPOCH, 10, 10), 110);
    }

    @Test
    void gapIsOutOfOrder() {
        record(0, 4, 0);

        assertRejected(table.check(PID, EPOCH, 6, 9), OutOfOrderSequenceException.class);
        assertRejected(table.check(PID, EPOCH, 3, 7), OutOfOrderSequenceException.class);
        assertRejected(table.check(PID, EPOCH, 0, 3), OutOfOrderSequenceException.class);
    }

    @Test
    void olderEpochIsRejected() {
        record(0, 4, 0);

        assertRejected(table.check(PID, (short) (EPOCH - 1), 5, 9), InvalidProducerEpochException.class);
        assertRejected(table.check(PID, (short) (EPOCH - 1), 0, 4), InvalidProducerEpochException.class);
    }

    @Test
    void newerEpochMustStartAtSequenceZero() {
        record(0, 4, 0);
        short next = EPOCH + 1;

        assertThat(table.check(PID, next, 0, 2)).isInstanceOf(Accept.class);
        assertRejected(table.check(PID, next, 5, 9), OutOfOrderSequenceException.class);
    }

    @Test
    void newEpochForgetsTheOldEpochsBatches() {
        record(0, 4, 0);
        short next = EPOCH + 1;
        record(table, PID, next, 0, 1, 50);

        assertDuplicateOf(table.check(PID, next, 0, 1), 50);
        assertThat(table.check(PID, next, 2, 3)).isInstanceOf(Accept.class);
        assertRejected(table.check(PID, next, 5, 9), OutOfOrderSequenceException.class);
        assertRejected(table.check(PID, EPOCH, 0, 4), InvalidProducerEpochException.class);
    }

    @Test
    void onlyTheLastFiveBatchesAreRemembered() {
        for (int seq = 0; seq < 6; seq++) {
            record(seq, seq, 10L + seq);
        }

        assertRejected(table.check(PID, EPOCH, 0, 0), OutOfOrderSequenceException.class);
        for (int seq = 1; seq < 6; seq++) {
            assertDuplicateOf(table.check(PID, EPOCH, seq, seq), 10L + seq);
        }
        assertThat(table.check(PID, EPOCH, 6, 6)).isInstanceOf(Accept.class);
        assertThat(ProducerStateTable.MAX_CACHED_BATCHES).isEqualTo(5);
    }

    @Test
    void sequenceWrapsFromMaxIntToZero() {
        record(Integer.MAX_VALUE - 4, Integer.MAX_VALUE, 0);

        assertThat(table.check(PID, EPOCH, 0, 9)).isInstanceOf(Accept.class);
        assertRejected(table.check(PID, EPOCH, 1, 9), OutOfOrderSequenceException.class);

        assertThat(ProducerStateTable.inSequence(Integer.MAX_VALUE, 0)).isTrue();
        assertThat(ProducerStateTable.inSequence(Integer.MAX_VALUE, Integer.MIN_VALUE)).isFalse();
        assertThat(ProducerStateTable.inSequence(41, 42)).isTrue();
        assertThat(ProducerStateTable.inSequence(41, 43)).isFalse();
        assertThat(ProducerStateTable.inSequence(41, 41)).isFalse();
    }

    @Test
    void batchSpanningTheWrapIsInSequenceAndItsRetryADuplicate() {
        record(Integer.MAX_VALUE - 9, Integer.MAX_VALUE - 2, 0);
        BatchHeader spanning = new BatchHeader(PID, EPOCH, Integer.MAX_VALUE - 1, 5, BatchHeader.CREATE_TIME);

        assertThat(table.check(PID, EPOCH, spanning.baseSequence(), spanning.lastSequence())).isInstanceOf(Accept.class);
        record(spanning.baseSequence(), spanning.lastSequence(), 8);
        assertDuplicateOf(table.check(PID, EPOCH, spanning.baseSequence(), spanning.lastSequence()), 8);
        assertThat(table.check(PID, EPOCH, 3, 3)).isInstanceOf(Accept.class);
    }

    @Test
    void rebuildFromNewestFirstHeadersReconstructsTheSameState() {
        long other = 77;
        List<RecentBatch> oldestFirst = new ArrayList<>();
        // Producer PID: 7 batches in epoch 2, then 3 in epoch 3; a non-idempotent batch and another producer in between.
        long offset = 0;
        int seq = 0;
        for (int i = 0; i < 7; i++) {
            oldestFirst.add(new RecentBatch(offset, new BatchHeader(PID, (short) 2, seq, 3, BatchHeader.CREATE_TIME)));
            offset += 3;
            seq += 3;
        }
        oldestFirst.add(new RecentBatch(offset, new BatchHeader(-1, (short) -1, -1, 2, BatchHeader.CREATE_TIME)));
        offset += 2;
        oldestFirst.add(new RecentBatch(offset, new BatchHeader(other, (short) 0, 40, 10, BatchHeader.LOG_APPEND_TIME)));
        offset += 10;
        seq = 0;
        for (int i = 0; i < 3; i++) {
            oldestFirst.add(new RecentBatch(offset, new BatchHeader(PID, EPOCH, seq, 2, BatchHeader.CREATE_TIME)));
            offset += 2;
            seq += 2;
        }
        ProducerStateTable live = new ProducerStateTable();
        for (RecentBatch b : oldestFirst) {
            if (b.header().producerId() >= 0) {
                record(live, b.header().producerId(), b.header().producerEpoch(), b.header().baseSequence(),
                        b.header().lastSequence(), b.baseOffset());
            }
        }
        List<RecentBatch> newestFirst = new ArrayList<>(oldestFirst);
        java.util.Collections.reverse(newestFirst);

        ProducerStateTable rebuilt = ProducerStateTable.rebuild(newestFirst);

        int[][] probes = {{0, 1}, {2, 3}, {4, 5}, {6, 7}, {6, 6}, {0, 2}, {3, 5}, {18, 20}};
        for (int[] p : probes) {
            for (short epoch : new short[] {2, EPOCH, 4}) {
                assertSameOutcome(rebuilt.check(PID, epoch, p[0], p[1]), live.check(PID, epoch, p[0], p[1]));
            }
        }
        assertSameOutcome(rebuilt.check(other, (short) 0, 40, 49), live.check(other, (short) 0, 40, 49));
        assertSameOutcome(rebuilt.check(other, (short) 0, 50, 50), live.check(other, (short) 0, 50, 50));
        assertSameOutcome(rebuilt.check(other, (short) 0, 51, 51), live.check(other, (short) 0, 51, 51));

        // And the outcomes are the expected ones, not merely equal.
        assertDuplicateOf(rebuilt.check(PID, EPOCH, 2, 3), offset - 4);
        assertThat(rebuilt.check(PID, EPOCH, 6, 7)).isInstanceOf(Accept.class);
        assertRejected(rebuilt.check(PID, (short) 2, 18, 20), InvalidProducerEpochException.class);
        assertDuplicateOf(rebuilt.check(other, (short) 0, 40, 49), 23);
        assertThat(rebuilt.check(other, (short) 0, 50, 50)).isInstanceOf(Accept.class);
    }

    @Test
    void rebuildKeepsOnlyTheNewestFiveBatchesOfAProducer() {
        List<RecentBatch> newestFirst = new ArrayList<>();
        for (int seq = 9; seq >= 0; seq--) {
            newestFirst.add(new RecentBatch(100 + seq, new BatchHeader(PID, EPOCH, seq, 1, BatchHeader.CREATE_TIME)));
        }

        ProducerStateTable rebuilt = ProducerStateTable.rebuild(newestFirst);

        assertDuplicateOf(rebuilt.check(PID, EPOCH, 9, 9), 109);
        assertDuplicateOf(rebuilt.check(PID, EPOCH, 5, 5), 105);
        assertRejected(rebuilt.check(PID, EPOCH, 4, 4), OutOfOrderSequenceException.class);
        assertThat(rebuilt.check(PID, EPOCH, 10, 10)).isInstanceOf(Accept.class);
    }

    private static void assertSameOutcome(Check actual, Check expected) {
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        if (expected instanceof Duplicate d) {
            assertThat(((Duplicate) actual).original().baseOffset()).isEqualTo(d.original().baseOffset());
            assertThat(((Duplicate) actual).original().firstSeq()).isEqualTo(d.original().firstSeq());
            assertThat(((Duplicate) actual).original().lastSeq()).isEqualTo(d.original().lastSeq());
        }
        if (expected instanceof Reject r) {
            assertThat(((Reject) actual).error()).isInstanceOf(r.error().getClass());
        }
    }
}
