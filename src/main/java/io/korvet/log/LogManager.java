package io.korvet.log;

import io.korvet.storage.PartitionStore;
import io.korvet.topic.PartitionLogs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** The partitions this broker leads (on a single broker: all of them), created on first use. */
public final class LogManager implements PartitionLogs {

    private final PartitionStore store;
    private final int producerStateScan;
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    /** Records read ahead for catching-up consumers, all partitions together: at most 64 MiB. */
    private final ReadAhead.Budget readAheadBudget = new ReadAhead.Budget(64L << 20);

    private volatile LeadershipEvents events = LeadershipEvents.NONE;
    private final EarlyRejections earlyRejections = new EarlyRejections();

    public LogManager(PartitionStore store, int producerStateScan) {
        this.store = store;
        this.producerStateScan = producerStateScan;
    }

    /** Where the logs report the claims they make and the ones they lose. */
    public void leadershipEvents(LeadershipEvents events) {
        this.events = events;
    }

    /** Every partition log this broker has open. */
    public java.util.Collection<PartitionLog> open() {
        return logs.values();
    }

    @Override
    public void forgetPartitions(String topic, int count) {
        for (int p = 0; p < count; p++) {
            PartitionLog log = logs.remove(new TopicPartition(topic, p));
            if (log != null) {
                log.close();
            }
        }
    }

    public PartitionLog log(TopicPartition tp) {
        return logs.computeIfAbsent(tp, p -> new PartitionLog(p, store, producerStateScan, readAheadBudget,
                new LeadershipEvents() {
                    @Override
                    public void claimed(TopicPartition t, int epoch) {
                        events.claimed(t, epoch);
                    }

                    @Override
                    public void lost(TopicPartition t) {
                        events.lost(t);
                    }
                }));
    }

    /** The partition's log if this broker has it in use, else null (nothing is loaded). */
    public PartitionLog existing(TopicPartition tp) {
        return logs.get(tp);
    }

    /** Idempotent batches answered before this broker knew their topic ({@link EarlyRejections}). */
    public EarlyRejections earlyRejections() {
        return earlyRejections;
    }

    public PartitionStore store() {
        return store;
    }

    @Override
    public CompletionStage<Void> deletePartitions(String topic, int from, int to) {
        List<CompletableFuture<Void>> deletions = new ArrayList<>();
        for (int p = from; p < to; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            PartitionLog log = logs.remove(tp);
            CompletionStage<Void> settled = log == null ? CompletableFuture.completedFuture(null) : log.close();
            deletions.add(settled.thenCompose(v -> store.delete(tp)).thenCompose(v -> {
                // A request that found the partition just before it went may have opened it again.
                PartitionLog late = logs.remove(tp);
                return late == null ? CompletableFuture.<Void>completedFuture(null)
                        : late.close().thenCompose(x -> store.delete(tp));
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(deletions.toArray(new CompletableFuture[0]));
    }
}
