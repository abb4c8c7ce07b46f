package io.korvet.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.group.share.SharePartitionState.Acquired;
import io.korvet.group.share.SharePartitionState.State;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class SharePartitionStateTest {

    private static final int LIMIT = 3;

    private static byte[] type(byte t) {
        return new byte[] {t};
    }

    @Test
    void acquiresNewRecordsOnceAndLocksThemToOneMember() {
        SharePartitionState s = new SharePartitionState(0);
        assertThat(s.acquire("a", 0, 9, 100, 1000)).containsExactly(new Acquired(0, 9, 1));
        // A second member reading the same records gets none of them.
        assertThat(s.acquire("b", 0, 9, 100, 1000)).isEmpty();
        assertThat(s.acquire("b", 0, 14, 100, 1000)).containsExactly(new Acquired(10, 14, 1));
        assertThat(s.endOffset()).isEqualTo(15);
        assertThat(s.nextFetchOffset()).isEqualTo(15);
    }

    @Test
    void maxRecordsBoundsAnAcquisition() {
        SharePartitionState s = new SharePartitionState(5);
        assertThat(s.acquire("a", 5, 100, 3, 1000)).containsExactly(new Acquired(5, 7, 1));
        // Records below the start offset are never acquired.
        assertThat(s.acquire("a", 0, 9, 100, 1000)).containsExactly(new Acquired(8, 9, 1));
    }

    @Test
    void theInFlightWindowBoundsNewAcquisitionsUntilTheStartMoves() {
        SharePartitionState s = new SharePartitionState(0);
        s.limitInFlight(4);
        assertThat(s.acquire("a", 0, 9, 100, 1000)).containsExactly(new Acquired(0, 3, 1));
        assertThat(s.nextFetchOffset()).isEqualTo(Long.MAX_VALUE);
        s.acknowledge("a", 1, 3, type(SharePartitionState.ACCEPT), LIMIT, 0);
        // Offset 0 still held: the window stays where it is.
        assertThat(s.acquire("b", 0, 9, 100, 1000)).isEmpty();
        s.acknowledge("a", 0, 0, type(SharePartitionState.ACCEPT), LIMIT, 0);
        assertThat(s.acquire("b", 0, 9, 100, 1000)).containsExactly(new Acquired(4, 7, 1));
    }

    @Test
    void acceptMovesTheStartOffsetPastSettledRecords() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 4, 100, 1000);
        assertThat(s.acknowledge("a", 1, 2, type(SharePartitionState.ACCEPT), LIMIT, 0)).isEqualTo(Errors.NONE);
        assertThat(s.startOffset()).isZero();
        assertThat(s.acknowledge("a", 0, 0, type(SharePartitionState.ACCEPT), LIMIT, 0)).isEqualTo(Errors.NONE);
        assertThat(s.startOffset()).isEqualTo(3);
        assertThat(s.stateOf(1)).isEqualTo(State.ARCHIVED);
        assertThat(s.stateOf(3)).isEqualTo(State.ACQUIRED);
    }

    @Test
    void onlyTheHolderMayAcknowledgeAndNothingChangesOnAnInvalidBatch() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 1, 100, 1000);
        s.acquire("b", 0, 3, 100, 1000);
        assertThat(s.acknowledge("b", 0, 3, type(SharePartitionState.ACCEPT), LIMIT, 0)).isEqualTo(Errors.INVALID_RECORD_STATE);
        assertThat(s.stateOf(2)).isEqualTo(State.ACQUIRED);
        assertThat(s.acknowledge("b", 2, 3, type(SharePartitionState.ACCEPT), LIMIT, 0)).isEqualTo(Errors.NONE);
        // Acknowledged twice: no longer acquired.
        assertThat(s.acknowledge("b", 2, 2, type(SharePartitionState.ACCEPT), LIMIT, 0)).isEqualTo(Errors.INVALID_RECORD_STATE);
    }

    @Test
    void perRecordTypesReleaseRejectAndAccept() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 2, 100, 1000);
        byte[] types = {SharePartitionState.ACCEPT, SharePartitionState.RELEASE, SharePartitionState.REJECT};
        assertThat(s.acknowledge("a", 0, 2, types, LIMIT, 0)).isEqualTo(Errors.NONE);
        assertThat(s.startOffset()).isEqualTo(1);
        assertThat(s.stateOf(1)).isEqualTo(State.AVAILABLE);
        assertThat(s.stateOf(2)).isEqualTo(State.ARCHIVED);
        assertThat(s.nextFetchOffset()).isEqualTo(1);
        // The released record comes back, with its delivery count; the rejected one never does.
        assertThat(s.acquire("b", 0, 2, 100, 1000)).containsExactly(new Acquired(1, 1, 2));
    }

    @Test
    void releasedPastTheDeliveryLimitIsArchived() {
        SharePartitionState s = new SharePartitionState(0);
        for (int delivery = 1; delivery <= LIMIT; delivery++) {
            assertThat(s.acquire("a", 0, 0, 100, 1000)).containsExactly(new Acquired(0, 0, delivery));
            s.acknowledge("a", 0, 0, type(SharePartitionState.RELEASE), LIMIT, 0);
        }
        assertThat(s.stateOf(0)).isEqualTo(State.ARCHIVED);
        assertThat(s.startOffset()).isEqualTo(1);
        assertThat(s.acquire("a", 0, 0, 100, 1000)).isEmpty();
    }

    @Test
    void expiredLocksMakeRecordsAvailableToAnotherMember() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 4, 100, 1000);
        assertThat(s.expireLocks(999, LIMIT)).isFalse();
        assertThat(s.expireLocks(1000, LIMIT)).isTrue();
        assertThat(s.acquire("b", 0, 4, 100, 2000)).containsExactly(new Acquired(0, 4, 2));
        // The first member's late acknowledgement is refused.
        assertThat(s.acknowledge("a", 0, 4, type(SharePartitionState.ACCEPT), LIMIT, 0)).isEqualTo(Errors.INVALID_RECORD_STATE);
    }

    @Test
    void renewExtendsTheLock() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 0, 100, 1000);
        s.acknowledge("a", 0, 0, type(SharePartitionState.RENEW), LIMIT, 5000);
        assertThat(s.expireLocks(1000, LIMIT)).isFalse();
        assertThat(s.expireLocks(5000, LIMIT)).isTrue();
    }

    @Test
    void aMemberLeavingReleasesWhatItHolds() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 1, 100, 1000);
        s.acquire("b", 0, 3, 100, 1000);
        assertThat(s.releaseMember("a", LIMIT)).isTrue();
        assertThat(s.stateOf(0)).isEqualTo(State.AVAILABLE);
        assertThat(s.stateOf(2)).isEqualTo(State.ACQUIRED);
    }

    @Test
    void restoredStateKeepsSettledRecordsAndFreesAcquiredOnes() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 3, 100, 1000);
        s.acknowledge("a", 1, 1, type(SharePartitionState.ACCEPT), LIMIT, 0);
        s.acknowledge("a", 2, 2, type(SharePartitionState.RELEASE), LIMIT, 0);
        Map<Long, String> stored = new HashMap<>();
        SharePartitionState.Delta d = s.drain();
        stored.putAll(d.written());
        d.removed().forEach(stored::remove);
        SharePartitionState back = SharePartitionState.restore(d.startOffset(), stored);
        assertThat(back.startOffset()).isZero();
        assertThat(back.endOffset()).isEqualTo(4);
        assertThat(back.stateOf(0)).isEqualTo(State.AVAILABLE);
        assertThat(back.stateOf(1)).isEqualTo(State.ACKNOWLEDGED);
        assertThat(back.deliveriesOf(2)).isEqualTo(1);
        assertThat(back.acquire("b", 0, 3, 100, 1000))
                .containsExactly(new Acquired(0, 0, 2), new Acquired(2, 3, 2));
    }

    @Test
    void drainReportsWhatToPersistAndForget() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 1, 100, 1000);
        s.drain();
        s.acknowledge("a", 0, 1, type(SharePartitionState.ACCEPT), LIMIT, 0);
        SharePartitionState.Delta d = s.drain();
        assertThat(d.startOffset()).isEqualTo(2);
        assertThat(d.written()).isEmpty();
        assertThat(d.removed()).isEqualTo(List.of(0L, 1L));
        assertThat(s.dirty()).isFalse();
    }

    @Test
    void aChangeWhoseWriteFailedIsWrittenAgainInItsLatestState() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 3, 100, 1000);
        Map<Long, String> stored = new HashMap<>();
        SharePartitionState.Delta first = s.drain();
        stored.putAll(first.written());
        // The acknowledgement of 0-1 is drained but its write fails; 2 is acknowledged meanwhile.
        s.acknowledge("a", 0, 1, type(SharePartitionState.ACCEPT), LIMIT, 0);
        SharePartitionState.Delta failed = s.drain();
        s.acknowledge("a", 2, 2, type(SharePartitionState.RELEASE), LIMIT, 0);
        s.redo(failed);
        assertThat(s.dirty()).isTrue();
        SharePartitionState.Delta again = s.drain();
        stored.putAll(again.written());
        again.removed().forEach(stored::remove);
        SharePartitionState back = SharePartitionState.restore(again.startOffset(), stored);
        assertThat(back.startOffset()).isEqualTo(2);
        assertThat(back.stateOf(2)).isEqualTo(State.AVAILABLE);
        assertThat(back.stateOf(3)).isEqualTo(State.AVAILABLE);
        assertThat(stored).doesNotContainKeys(0L, 1L);
    }

    @Test
    void logStartAndResetMoveTheStart() {
        SharePartitionState s = new SharePartitionState(0);
        s.acquire("a", 0, 4, 100, 1000);
        s.logStartMoved(3);
        assertThat(s.startOffset()).isEqualTo(3);
        assertThat(s.stateOf(3)).isEqualTo(State.ACQUIRED);
        s.reset(10);
        assertThat(s.startOffset()).isEqualTo(10);
        assertThat(s.nextFetchOffset()).isEqualTo(10);
    }
}
