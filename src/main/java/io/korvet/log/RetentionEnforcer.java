package io.korvet.log;

import io.korvet.Failures;
import io.korvet.storage.PartitionStore;
import io.korvet.storage.StorageException;
import io.korvet.topic.BrokerConfigs;
import io.korvet.topic.TopicConfigs;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@code retention.ms} and {@code retention.bytes} (broker defaults {@code log.retention.*}) on
 * topics whose cleanup policy includes {@code delete}, every {@code log.retention.check.interval.ms}, by
 * trimming the oldest entries of each partition stream; the log start offset moves with them.
 *
 * <ul>
 * <li>By time: the longest prefix of the stream whose records all have timestamps older than
 * {@code now - retention.ms} is removed. Records are in offset order but their timestamps need not be, so
 * a record with a recent timestamp keeps everything after it (Kafka keeps a segment for its newest
 * timestamp in the same way). Timestamps are read in bounded chunks, so Redis is never held long.</li>
 * <li>By size: the stream's size is Redis's own estimate of its memory ({@code MEMORY USAGE}, which samples
 * a few nodes); when over {@code retention.bytes}, the oldest entries go, counting every entry as the
 * average size, so that the rest fits.</li>
 * </ul>
 * Nothing at or past a partition's high watermark is ever removed. A few partitions are trimmed at once.
 */
public final class RetentionEnforcer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetentionEnforcer.class);
    /** Records whose timestamps one search reads before it trims what it found expired. */
    private static final int SCAN_BUDGET = 10_000;
    /** Searches per partition and run; what remains is trimmed on the next run. */
    private static final int MAX_ROUNDS = 100;
    /**
     * Partitions trimmed at once. Each round trip waits behind the appends queued on the Redis connection,
     * so one partition at a time falls behind a busy broker; a few at once keep up without flooding Redis.
     */
    private static final int PARALLEL_PARTITIONS = 8;

    private final TopicManager topics;
    private final LogManager logs;
    private final long intervalMs;
    private final LongSupplier clock;
    private final PeriodicTask task = new PeriodicTask("korvet-retention", "Retention pass", log);

    /** Whether this broker leads a partition: retention runs on each partition's leader only. */
    private final Predicate<TopicPartition> leads;

    public RetentionEnforcer(TopicManager topics, LogManager logs, Predicate<TopicPartition> leads, long intervalMs, LongSupplier clock) {
        this.leads = leads;
        this.topics = topics;
        this.logs = logs;
        this.intervalMs = intervalMs;
        this.clock = clock;
    }

    /** Runs a pass every interval, the next one an interval after the previous one ends. */
    public void start() {
        task.start(intervalMs, this::runOnce);
    }

    /** One pass over every partition of every topic with the {@code delete} cleanup policy, a few partitions at once. */
    public void runOnce() throws InterruptedException {
        long now = clock.getAsLong();
        BrokerConfigs broker = topics.brokerConfigs();
        Semaphore window = new Semaphore(PARALLEL_PARTITIONS);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        AtomicReference<StorageException.Unavailable> unavailable = new AtomicReference<>();
        for (LedPartitions.Led led : LedPartitions.of(topics, leads, t -> TopicConfigs.deletesRecords(t.record().configs(), broker))) {
            if (unavailable.get() != null) {
                break;
            }
            Map<String, String> c = led.topic().record().configs();
            long retentionMs = Long.parseLong(TopicConfigs.effective(c, TopicConfigs.RETENTION_MS, broker).trim());
            long retentionBytes = Long.parseLong(TopicConfigs.effective(c, TopicConfigs.RETENTION_BYTES, broker).trim());
            if (retentionMs < 0 && retentionBytes < 0) {
                continue;
            }
            TopicPartition tp = led.partition();
            window.acquire();
            running.add(enforce(tp, retentionMs, retentionBytes, now).whenComplete((v, error) -> {
                window.release();
                if (error == null) {
                    return;
                }
                Throwable cause = Failures.cause(error);
                if (cause instanceof StorageException.Unavailable u) {
                    unavailable.compareAndSet(null, u); // the other partitions would fail alike: one warning for the pass
                } else {
                    log.warn("Retention of {} failed: {}", tp, cause.toString());
                }
            }).toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(running.toArray(new CompletableFuture[0])).get();
        } catch (ExecutionException handledAbove) {
            // Each failure was logged, or kept as the pass's outcome, as it happened.
        }
        if (unavailable.get() != null) {
            throw unavailable.get();
        }
    }

    private CompletionStage<Void> enforce(TopicPartition tp, long retentionMs, long retentionBytes, long now) {
        CompletionStage<Void> byTime = retentionMs < 0 ? CompletableFuture.completedFuture(null)
                : trimOlderThan(tp, now - retentionMs, 1);
        if (retentionBytes < 0) {
            return byTime;
        }
        return byTime.thenCompose(v -> logs.store().trimToSize(tp, retentionBytes, upperBound(tp))).thenAccept(start -> {
            if (start >= 0) {
                moved(tp, start, "size");
            }
        });
    }

    /** Trims the records before the first one whose timestamp is at or after {@code cutoff}. */
    private CompletionStage<Void> trimOlderThan(TopicPartition tp, long cutoff, int round) {
        PartitionStore store = logs.store();
        return store.findByTimestamp(tp, 0, cutoff, SCAN_BUDGET).thenCompose(found -> {
            // Not found: every record is expired (offset -1), or the budget ran out before that offset.
            boolean more = !found.found() && found.offset() >= 0;
            long target = Math.min(found.found() || more ? found.offset() : Long.MAX_VALUE, upperBound(tp));
            PartitionLog partition = logs.existing(tp);
            if (partition != null && partition.isLoaded() && target <= partition.logStartOffset()) {
                return CompletableFuture.completedFuture(null);
            }
            return store.trim(tp, target).thenCompose(start -> {
                moved(tp, start, "time");
                return more && round < MAX_ROUNDS ? trimOlderThan(tp, cutoff, round + 1) : CompletableFuture.completedFuture(null);
            });
        });
    }

    /** Where trimming must stop: the high watermark of a partition in use (appends may be in flight past it). */
    private long upperBound(TopicPartition tp) {
        PartitionLog partition = logs.existing(tp);
        return partition != null && partition.isLoaded() ? partition.highWatermark() : Long.MAX_VALUE;
    }

    private void moved(TopicPartition tp, long start, String why) {
        PartitionLog partition = logs.existing(tp);
        if (partition != null) {
            partition.advanceLogStartOffset(start);
        }
        log.debug("Retention by {}: {} starts at offset {}", why, tp, start);
    }

    @Override
    public void close() {
        task.close();
    }
}
