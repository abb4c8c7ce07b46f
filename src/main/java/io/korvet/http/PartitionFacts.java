package io.korvet.http;

import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * What the admin API tells of a partition, on any broker: its log start offset and high watermark (from memory on
 * the leader, once it has the partition loaded; otherwise read from Redis as a follower reads them, without claiming
 * it) and the memory its stream takes.
 */
final class PartitionFacts {

    /** One partition's offsets; {@code bytes} is -1 when not asked for. */
    record Facts(TopicPartition partition, long logStartOffset, long highWatermark, long bytes) {
        long records() {
            return Math.max(0, highWatermark - logStartOffset);
        }
    }

    private final LogManager logs;
    private final Predicate<TopicPartition> leads;

    PartitionFacts(LogManager logs, Predicate<TopicPartition> leads) {
        this.logs = logs;
        this.leads = leads;
    }

    /** {log start offset, high watermark}. */
    CompletionStage<long[]> offsets(TopicPartition tp) {
        PartitionLog log = logs.existing(tp);
        if (log != null && log.isLoaded() && leads.test(tp)) {
            return CompletableFuture.completedFuture(new long[] {log.logStartOffset(), log.highWatermark()});
        }
        return logs.store().offsets(tp);
    }

    /** The facts of each partition, in order, all read at once (Redis pipelines the reads). */
    CompletionStage<List<Facts>> of(List<TopicPartition> partitions, boolean withBytes) {
        List<CompletableFuture<Facts>> reads = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            CompletionStage<Long> bytes = withBytes ? logs.store().storedBytes(tp) : CompletableFuture.completedFuture(-1L);
            reads.add(offsets(tp).thenCombine(bytes, (o, b) -> new Facts(tp, o[0], o[1], b)).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(new CompletableFuture[0]))
                .thenApply(v -> reads.stream().map(CompletableFuture::join).toList());
    }
}
