package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.AbortedTxn;
import org.junit.jupiter.api.Test;

class TransactionTrackerTest {

    @Test
    void theLastStableOffsetStopsAtTheOldestOpenTransaction() {
        TransactionTracker t = new TransactionTracker();
        t.begin(1, 10);
        t.begin(2, 15);
        t.begin(1, 20); // a later batch of the same transaction

        assertThat(t.lastStableOffset(30)).isEqualTo(10);
        t.end(1, 25, false);
        assertThat(t.lastStableOffset(30)).isEqualTo(15);
        t.end(2, 26, true);
        assertThat(t.lastStableOffset(30)).isEqualTo(30);
    }

    @Test
    void abortedTransactionsOverlappingAFetchAreNamed() {
        TransactionTracker t = new TransactionTracker();
        t.begin(1, 10);
        t.end(1, 12, true);
        t.begin(2, 20);
        t.end(2, 22, true);
        t.begin(3, 30);
        t.end(3, 31, false); // committed: never named

        assertThat(t.abortedBetween(0, 100)).containsExactly(new AbortedTxn(1, 10, 12), new AbortedTxn(2, 20, 22));
        assertThat(t.abortedBetween(13, 100)).containsExactly(new AbortedTxn(2, 20, 22));
        assertThat(t.abortedBetween(0, 15)).containsExactly(new AbortedTxn(1, 10, 12));
        t.trimBelow(13);
        assertThat(t.abortedBetween(0, 100)).containsExactly(new AbortedTxn(2, 20, 22));
    }
}
