package io.korvet.log;

import io.korvet.storage.AbortedTxn;
import io.korvet.storage.TxnIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The transactions of one partition, as its leader knows them: per producer with a transaction in progress, the
 * offset of its first record here (the last stable offset stops there), and the aborted transactions that
 * read_committed fetches name. A cache of the partition's transaction index in Redis, which every append of a
 * transactional batch or marker updates in the same atomic step. Not thread-safe: the partition log guards it.
 */
final class TransactionTracker {

    private final Map<Long, Long> ongoing = new HashMap<>();
    /** Aborted transactions by the offset of their marker. */
    private final NavigableMap<Long, AbortedTxn> aborted = new TreeMap<>();

    static TransactionTracker rebuild(TxnIndex index) {
        TransactionTracker t = new TransactionTracker();
        t.ongoing.putAll(index.ongoing());
        for (AbortedTxn a : index.aborted()) {
            t.aborted.put(a.lastOffset(), a);
        }
        return t;
    }

    boolean ongoing(long producerId) {
        return ongoing.containsKey(producerId);
    }

    /** A transactional batch of {@code producerId} at {@code offset}: the first one begins its transaction here. */
    void begin(long producerId, long offset) {
        ongoing.putIfAbsent(producerId, offset);
    }

    /** A marker at {@code offset} ends the producer's transaction here; an abort is remembered for fetches. */
    void end(long producerId, long offset, boolean abort) {
        Long first = ongoing.remove(producerId);
        if (first != null && abort) {
            aborted.put(offset, new AbortedTxn(producerId, first, offset));
        }
    }

    /** The first offset of the oldest ongoing transaction, or {@code highWatermark} when none is below it. */
    long lastStableOffset(long highWatermark) {
        return lastStableOffset(ongoing, highWatermark);
    }

    /** The first offset of the oldest of these open transactions, or {@code highWatermark} when none is below it. */
    static long lastStableOffset(Map<Long, Long> ongoing, long highWatermark) {
        long lso = highWatermark;
        for (long first : ongoing.values()) {
            lso = Math.min(lso, first);
        }
        return lso;
    }

    /**
     * The aborted transactions a fetch of {@code [from, upTo)} must name, as Kafka collects them: those whose marker
     * is at or after {@code from} and whose first record is before {@code upTo}.
     */
    List<AbortedTxn> abortedBetween(long from, long upTo) {
        return overlapping(aborted.tailMap(from, true).values(), upTo);
    }

    static List<AbortedTxn> overlapping(Iterable<AbortedTxn> fromOn, long upTo) {
        List<AbortedTxn> out = new ArrayList<>();
        for (AbortedTxn a : fromOn) {
            if (a.firstOffset() < upTo) {
                out.add(a);
            }
        }
        return out;
    }

    /** Whether the record of {@code producerId} at {@code offset} belongs to one of its aborted transactions. */
    boolean isAborted(long producerId, long offset) {
        for (AbortedTxn a : aborted.tailMap(offset, true).values()) {
            if (a.producerId() == producerId) {
                // A producer's transactions follow one another: its first aborted one ending at or after the record.
                return a.firstOffset() <= offset;
            }
        }
        return false;
    }

    /** Forgets aborted transactions whose marker is below the log start offset. */
    void trimBelow(long logStartOffset) {
        aborted.headMap(logStartOffset, false).clear();
    }

    Map<Long, Long> ongoingSnapshot() {
        return Map.copyOf(ongoing);
    }
}
