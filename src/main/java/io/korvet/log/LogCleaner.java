package io.korvet.log;

import io.korvet.config.KorvetConfig.CleanerSettings;
import io.korvet.storage.CompactionStore;
import io.korvet.storage.StorageException;
import io.korvet.topic.BrokerConfigs;
import io.korvet.topic.TopicConfigs;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's log cleaner for Korvet: compacts the partitions this broker leads of the topics whose
 * {@code cleanup.policy} includes {@code compact} ({@code compact} and {@code compact,delete}), in the background,
 * {@code log.cleaner.threads} partitions at once, one {@link PartitionCleaner} pass each when it is worth cleaning.
 * A run goes over every such partition; the next starts {@code log.cleaner.backoff.ms} after it ends.
 */
public final class LogCleaner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);

    private final TopicManager topics;
    private final LogManager logs;
    private final Predicate<TopicPartition> leads;
    private final CleanerSettings settings;
    private final LongSupplier clock;
    private final PartitionCleaner cleaner;
    private final PeriodicTask task = new PeriodicTask("korvet-log-cleaner", "Log cleaner run", log);
    private final ExecutorService workers;

    public LogCleaner(TopicManager topics, LogManager logs, CompactionStore compaction, Predicate<TopicPartition> leads,
                      CleanerSettings settings, LongSupplier clock, CompactionTransactions transactions) {
        this.topics = topics;
        this.logs = logs;
        this.leads = leads;
        this.settings = settings;
        this.clock = clock;
        this.cleaner = new PartitionCleaner(logs.store(), compaction, transactions,
                new PartitionCleaner.Limits(settings.dedupeBufferBytes(), settings.loadFactor()));
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "korvet-log-cleaner-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the runs, unless {@code log.cleaner.enable} is false. */
    public void start() {
        if (settings.enabled()) {
            task.start(settings.backoffMs(), this::runOnce);
        }
    }

    /** One run over every compacted partition this broker leads; returns how many were cleaned. */
    public int runOnce() throws InterruptedException {
        BrokerConfigs broker = topics.brokerConfigs();
        List<Future<Boolean>> running = new ArrayList<>();
        for (LedPartitions.Led led : LedPartitions.of(topics, leads, t -> TopicConfigs.compactsRecords(t.record().configs(), broker))) {
            CleaningPlan.Settings s = settings(led.topic().record().configs(), broker);
            boolean batchFormat = led.topic().format() == io.korvet.storage.StreamFormat.BATCH;
            running.add(workers.submit(() -> clean(led.partition(), batchFormat, s)));
        }
        int cleaned = 0;
        for (Future<Boolean> f : running) {
            try {
                cleaned += f.get() ? 1 : 0;
            } catch (java.util.concurrent.ExecutionException e) {
                log.warn("Log cleaner failed: {}", e.getCause().toString());
            }
        }
        return cleaned;
    }

    private boolean clean(TopicPartition tp, boolean batchFormat, CleaningPlan.Settings s) {
        try {
            PartitionLog partition = logs.log(tp);
            PartitionCleaner.await(partition.ensureLoaded());
            return cleaner.clean(partition, batchFormat, s, clock.getAsLong());
        } catch (StorageException.LeaderMoved | org.apache.kafka.common.errors.NotLeaderOrFollowerException e) {
            log.debug("Not compacting {}: another broker leads it", tp);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Compaction of {} failed; it runs again later: {}", tp, e.toString());
        }
        return false;
    }

    /** A topic's compaction settings; {@code segment.ms} is capped by {@code max.compaction.lag.ms}, as in Kafka. */
    static CleaningPlan.Settings settings(Map<String, String> c, BrokerConfigs broker) {
        long maxLag = number(c, "max.compaction.lag.ms", broker);
        return new CleaningPlan.Settings(number(c, "segment.bytes", broker), Math.min(number(c, "segment.ms", broker), maxLag),
                number(c, "min.compaction.lag.ms", broker), maxLag,
                Double.parseDouble(TopicConfigs.effective(c, "min.cleanable.dirty.ratio", broker).trim()),
                number(c, "delete.retention.ms", broker));
    }

    private static long number(Map<String, String> c, String name, BrokerConfigs broker) {
        return Long.parseLong(TopicConfigs.effective(c, name, broker).trim());
    }

    @Override
    public void close() {
        task.close();
        workers.shutdownNow();
    }
}
