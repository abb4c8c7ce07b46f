package io.korvet.log;

import io.korvet.storage.PartitionState.RecentBatch;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;

/**
 * Idempotent-producer state of one partition, as Kafka keeps it: per producer id, its epoch and the
 * sequence ranges and offsets of its last five batches. Not thread-safe: the partition log guards it.
 */
final class ProducerStateTable {

    static final int MAX_CACHED_BATCHES = 5;

    /** A batch this table remembers; {@code written} completes when it is in Redis. */
    record CachedBatch(int firstSeq, int lastSeq, long baseOffset, CompletableFuture<Void> written) {
    }

    sealed interface Check permits Accept, Duplicate, Reject {
    }

    record Accept() implements Check {
    }

    record Duplicate(CachedBatch original) implements Check {
    }

    record Reject(ApiException error) implements Check {
    }

    private static final Accept ACCEPT = new Accept();

    private static final class Producer {
        short epoch;
        final ArrayDeque<CachedBatch> batches = new ArrayDeque<>();
        /** With no batch remembered: the sequence the next batch must start at (-1: any). */
        int expectedFirstSeq = -1;
    }

    private final Map<Long, Producer> producers = new HashMap<>();

    /** Rebuilds the table from batch headers read from the log, newest first. */
    static ProducerStateTable rebuild(List<RecentBatch> newestFirst) {
        ProducerStateTable table = new ProducerStateTable();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            RecentBatch b = newestFirst.get(i);
            if (b.header().control()) {
                table.marker(b.header().producerId(), b.header().producerEpoch());
            } else if (b.header().producerId() >= 0 && !b.header().isContinuation()) {
                table.record(b.header().producerId(), b.header().producerEpoch(),
                        new CachedBatch(b.header().baseSequence(), b.header().lastSequence(), b.baseOffset(),
                                CompletableFuture.completedFuture(null)));
            }
        }
        return table;
    }

    /** Decides what to do with a batch, with Kafka's rules: duplicate, in sequence, or rejected. */
    Check check(long producerId, short epoch, int firstSeq, int lastSeq) {
        Producer p = producers.get(producerId);
        if (p == null) {
            // No state (new producer, or its batches are gone from the log): accept any sequence, as Kafka does.
            return ACCEPT;
        }
        if (epoch < p.epoch) {
            return new Reject(new InvalidProducerEpochException("Epoch of producer " + producerId + " is " + epoch
                    + ", which is smaller than the last seen epoch " + p.epoch));
        }
        if (epoch > p.epoch) {
            return firstSeq == 0 ? ACCEPT : new Reject(new OutOfOrderSequenceException("Invalid sequence number for new epoch "
                    + epoch + " of producer " + producerId + ": " + firstSeq + " (request epoch), 0 (expected seq. number)"));
        }
        for (CachedBatch b : p.batches) {
            if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
                return new Duplicate(b);
            }
        }
        if (p.batches.isEmpty() && p.expectedFirstSeq >= 0 && firstSeq != p.expectedFirstSeq) {
            return new Reject(new OutOfOrderSequenceException("Out of order sequence number for producer " + producerId
                    + ": " + firstSeq + " (incoming seq. number), " + p.expectedFirstSeq + " (expected seq. number: an earlier"
                    + " batch failed and was not written)"));
        }
        int currentLast = p.batches.isEmpty() ? -1 : p.batches.peekLast().lastSeq();
        if (!p.batches.isEmpty() && !inSequence(currentLast, firstSeq)) {
            return new Reject(new OutOfOrderSequenceException("Out of order sequence number for producer " + producerId
                    + ": " + firstSeq + " (incoming seq. number), " + currentLast + " (current end sequence number)"));
        }
        return ACCEPT;
    }

    /** Remembers an accepted batch; a new epoch forgets the old one's batches. */
    void record(long producerId, short epoch, CachedBatch batch) {
        Producer p = producers.computeIfAbsent(producerId, id -> new Producer());
        if (epoch != p.epoch) {
            p.batches.clear();
            p.epoch = epoch;
        }
        p.expectedFirstSeq = -1;
        p.batches.addLast(batch);
        while (p.batches.size() > MAX_CACHED_BATCHES) {
            p.batches.removeFirst();
        }
    }

    /**
     * A transaction marker of this producer, at {@code epoch}: a higher epoch (the coordinator fenced the producer)
     * forgets the older epoch's batches, so that a zombie's next batch is refused.
     */
    void marker(long producerId, short epoch) {
        Producer p = producers.computeIfAbsent(producerId, id -> new Producer());
        if (epoch > p.epoch) {
            p.batches.clear();
            p.epoch = epoch;
            p.expectedFirstSeq = -1;
        }
    }

    /** The producer's epoch as this partition last saw it, or -1 when it knows nothing of it. */
    short epochOf(long producerId) {
        Producer p = producers.get(producerId);
        return p == null ? -1 : p.epoch;
    }

    /**
     * A batch of this producer failed before it was written (its partition could not be loaded), and the table knows
     * nothing of the producer: its next batch must be that one again, so that a later batch already on its way is
     * not written before it (the producer resends them in order after an OUT_OF_ORDER_SEQUENCE_NUMBER).
     */
    void expect(long producerId, short epoch, int firstSeq) {
        Producer p = producers.get(producerId);
        if (p != null) {
            return;
        }
        p = new Producer();
        p.epoch = epoch;
        p.expectedFirstSeq = firstSeq;
        producers.put(producerId, p);
    }

    /** A producer as DescribeProducers shows it: its epoch and the sequence of its last batch (-1: none). */
    record Active(long producerId, short epoch, int lastSequence) {
    }

    List<Active> active() {
        List<Active> out = new java.util.ArrayList<>(producers.size());
        producers.forEach((id, p) -> out.add(new Active(id, p.epoch, p.batches.isEmpty() ? -1 : p.batches.peekLast().lastSeq())));
        return out;
    }

    static boolean inSequence(int lastSeq, int nextSeq) {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }
}
