package io.korvet.log;

import java.nio.ByteBuffer;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Which records a compaction keeps, as Kafka's cleaner decides: a record goes when a later record of its key is in
 * the offset map, a tombstone (null value) also once its removal horizon has passed, a record without a key always
 * (a compacted topic refuses them), a record of an aborted transaction when the transactions say so; transaction
 * markers stay until the transactions let them go. Some entries are kept whole whatever their records: the first of
 * the log (its first offset is the log start offset, which compaction does not move, as in Kafka), and each
 * idempotent producer's last batch that the leader remembers (its sequence numbers, which a new leader reads back),
 * and the last of the log, without which a consumer would find nothing to read up to the high watermark.
 */
public final class RecordRetention {

    private final TopicPartition tp;
    private final OffsetMap latest;
    private final long tombstonesBelow;
    private final Set<Long> producersLastBatches;
    private final CompactionTransactions transactions;

    /**
     * @param latest each key's latest offset in the dirty part of the log
     * @param tombstonesBelow tombstones below this offset may go
     * @param producersLastBatches the base offsets of the last batch of every producer the leader remembers
     */
    public RecordRetention(TopicPartition tp, OffsetMap latest, long tombstonesBelow, Set<Long> producersLastBatches,
                           CompactionTransactions transactions) {
        this.tp = tp;
        this.latest = latest;
        this.tombstonesBelow = tombstonesBelow;
        this.producersLastBatches = producersLastBatches;
        this.transactions = transactions;
    }

    /** Producers with a transactional record kept in this pass since their last marker (walked in offset order). */
    private final Set<Long> keptSinceMarker = new java.util.HashSet<>();

    /** Whether the record at {@code offset} stays; {@code key} null for a record without a key. */
    public boolean keep(long offset, ByteBuffer key, boolean hasValue, long producerId, boolean transactional) {
        return keep(offset, key, hasValue, producerId, transactional, false);
    }

    /**
     * As {@link #keep(long, ByteBuffer, boolean, long, boolean)}, for a record whose entry may have to stay whole
     * ({@code entryStays}, see {@link #keepEntry}): it stays then, and counts as a record of its transaction that stays,
     * so that the transaction's marker stays with it.
     */
    public boolean keep(long offset, ByteBuffer key, boolean hasValue, long producerId, boolean transactional, boolean entryStays) {
        boolean keep = keepRecord(offset, key, hasValue, producerId, transactional) || entryStays;
        if (keep && transactional) {
            keptSinceMarker.add(producerId);
        }
        return keep;
    }

    private boolean keepRecord(long offset, ByteBuffer key, boolean hasValue, long producerId, boolean transactional) {
        if (key == null) {
            return false;
        }
        if (transactional && transactions.isAborted(tp, producerId, offset)) {
            return false;
        }
        if (latest.get(key) > offset) {
            return false;
        }
        return hasValue || offset >= tombstonesBelow;
    }

    /**
     * Whether the transaction marker (a control batch) of {@code producerId} at {@code offset} stays: always while a
     * record of its transaction stays (Kafka's rule; the cleaner walks the whole log in offset order, so the records
     * since the producer's previous marker are its transaction's); else as the transactions say.
     */
    public boolean keepMarker(long producerId, long offset, boolean abort) {
        if (keptSinceMarker.remove(producerId)) {
            return true;
        }
        return !transactions.removeMarker(tp, producerId, offset, abort, tombstonesBelow);
    }

    /**
     * Whether the entry starting at {@code baseOffset} must stay even if none of its records would: the log's first
     * entry (it holds the log start offset) or last (a consumer reads up to the high watermark by reading it), or the
     * last batch of a producer the leader remembers (a batch of several records keeps the ones that stay when some
     * do; it is kept whole only when none would).
     */
    public boolean keepEntry(long baseOffset, boolean endOfLog) {
        return endOfLog || producersLastBatches.contains(baseOffset);
    }

    /** Whether records of the dirty part of the log go into the offset map: not those of aborted transactions. */
    public static boolean mapped(CompactionTransactions transactions, TopicPartition tp, long producerId, long offset,
                                 boolean transactional) {
        return !transactional || !transactions.isAborted(tp, producerId, offset);
    }
}
