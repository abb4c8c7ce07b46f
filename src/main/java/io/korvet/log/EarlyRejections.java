package io.korvet.log;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Idempotent batches this broker answered with a retriable error before it had the partition at all (its topic not
 * known here yet: created on another broker a moment ago), remembered until the partition's log is used.
 *
 * <p>A producer pipelines up to five requests. When the first batch of a new producer is answered UNKNOWN_TOPIC_ID
 * and a later one arrives after this broker learned the topic, the later one would be the producer's first in the
 * log (a producer without state may start at any sequence, as in Kafka), and the retried first batch would then be
 * out of order for ever. The log is told, as it is of batches that failed in a load or an append
 * ({@link PartitionLog#expectFirst}), that this producer's next batch must be the one that failed.
 */
public final class EarlyRejections {

    /** Longer than a producer's delivery.timeout.ms (120 s by default) with room to spare. */
    private static final long KEEP_NANOS = TimeUnit.MINUTES.toNanos(5);
    private static final int MAX_PARTITIONS = 10_000;
    private static final int MAX_PRODUCERS_PER_PARTITION = 1_000;

    private record Key(Object topic, int partition) {
    }

    private record First(short epoch, int seq, long atNanos) {
    }

    private final Map<Key, Map<Long, First>> pending = new ConcurrentHashMap<>();

    /** An idempotent batch for {@code topic} (its id, or its name before Produce v13) was not written. */
    public void rejected(Object topic, int partition, RecordBatch first) {
        if (first == null || first.producerId() < 0 || first.baseSequence() < 0) {
            return;
        }
        long now = System.nanoTime();
        if (pending.size() >= MAX_PARTITIONS) {
            expire(now);
            if (pending.size() >= MAX_PARTITIONS) {
                return;
            }
        }
        Map<Long, First> firsts = pending.computeIfAbsent(new Key(topic, partition), k -> new ConcurrentHashMap<>());
        if (firsts.size() < MAX_PRODUCERS_PER_PARTITION) {
            firsts.putIfAbsent(first.producerId(), new First(first.producerEpoch(), first.baseSequence(), now));
        }
    }

    /** What a partition's log is told of a producer's first batch that was not written ({@link PartitionLog#expectFirst}). */
    @FunctionalInterface
    public interface Expectation {
        void expectFirst(long producerId, short epoch, int firstSeq);
    }

    /** Hands what was rejected for this partition (by topic id or name) to its log, once. */
    public void applyTo(Uuid topicId, String topic, int partition, Expectation log) {
        if (pending.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Object name : new Object[] {topicId, topic}) {
            Map<Long, First> firsts = pending.remove(new Key(name, partition));
            if (firsts != null) {
                firsts.forEach((pid, f) -> {
                    if (now - f.atNanos() < KEEP_NANOS) {
                        log.expectFirst(pid, f.epoch(), f.seq());
                    }
                });
            }
        }
    }

    private void expire(long now) {
        for (Iterator<Map<Long, First>> it = pending.values().iterator(); it.hasNext(); ) {
            Map<Long, First> firsts = it.next();
            firsts.values().removeIf(f -> now - f.atNanos() >= KEEP_NANOS);
            if (firsts.isEmpty()) {
                it.remove();
            }
        }
    }
}
