package io.korvet.group.share;

import io.korvet.group.share.SharePartitionState.Acquired;
import io.korvet.storage.AbortedTxn;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The records a share group reading {@code read_committed} never delivers: those of the batches of aborted
 * transactions. They are acquired with the rest of a read and archived at once, and left out of the AcquiredRecords
 * ranges the member is sent, as Kafka's share partition does. Transaction markers are not among them: the client
 * skips control records itself.
 */
final class AbortedRecords {

    private AbortedRecords() {
    }

    /** The offset ranges ({first, last}) of the batches, among those read, that aborted transactions wrote. */
    static List<long[]> ranges(Iterable<? extends RecordBatch> batches, List<AbortedTxn> aborted) {
        List<long[]> out = new ArrayList<>();
        if (aborted == null || aborted.isEmpty()) {
            return out;
        }
        for (RecordBatch b : batches) {
            if (!b.isTransactional() || b.isControlBatch()) {
                continue;
            }
            for (AbortedTxn a : aborted) {
                if (a.producerId() == b.producerId() && a.firstOffset() <= b.baseOffset() && b.lastOffset() < a.lastOffset()) {
                    out.add(new long[] {b.baseOffset(), b.lastOffset()});
                    break;
                }
            }
        }
        return out;
    }

    /** The parts of {@code acquired} outside every range of {@code skip}, each with its delivery count. */
    static List<Acquired> without(List<Acquired> acquired, List<long[]> skip) {
        List<Acquired> out = new ArrayList<>();
        for (Acquired a : acquired) {
            long from = a.firstOffset();
            for (long[] s : skip) {
                if (s[1] < from || s[0] > a.lastOffset()) {
                    continue;
                }
                if (s[0] > from) {
                    out.add(new Acquired(from, s[0] - 1, a.deliveryCount()));
                }
                from = Math.max(from, s[1] + 1);
            }
            if (from <= a.lastOffset()) {
                out.add(new Acquired(from, a.lastOffset(), a.deliveryCount()));
            }
        }
        return out;
    }

    /** The parts of {@code acquired} inside the ranges of {@code skip}: what to archive. */
    static List<long[]> within(List<Acquired> acquired, List<long[]> skip) {
        List<long[]> out = new ArrayList<>();
        for (Acquired a : acquired) {
            for (long[] s : skip) {
                long lo = Math.max(a.firstOffset(), s[0]);
                long hi = Math.min(a.lastOffset(), s[1]);
                if (lo <= hi) {
                    out.add(new long[] {lo, hi});
                }
            }
        }
        return out;
    }
}
