package io.korvet.log;

import io.korvet.storage.PartitionStore;
import io.korvet.storage.PartitionStore.TimestampLookup;
import io.korvet.storage.StoredBatches;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongPredicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * ListOffsets by timestamp over either stream format: the store finds the entry by its timestamp (a batch's max
 * timestamp), and where that entry is a batch of several records, the batch is read to pin the record, as Kafka
 * looks inside the batch its time index points at. Records below the log start offset are never answered.
 */
public final class TimestampSearch {

    /** Batches searched after a batch whose matching records were all below the log start offset. */
    private static final int MAX_ROUNDS = 3;

    private TimestampSearch() {
    }

    /** The first record at or after {@code from} whose timestamp is at or after {@code timestamp}. */
    public static CompletionStage<TimestampLookup> firstAtOrAfter(PartitionStore store, TopicPartition tp, long from,
                                                                   long timestamp) {
        return firstAtOrAfter(store, tp, from, timestamp, 0);
    }

    private static CompletionStage<TimestampLookup> firstAtOrAfter(PartitionStore store, TopicPartition tp, long from,
                                                                    long timestamp, int round) {
        return store.findByTimestamp(tp, from, timestamp, Integer.MAX_VALUE).thenCompose(found -> {
            if (!found.found() || !found.spansRecords() && found.offset() >= from) {
                return CompletableFuture.completedFuture(found);
            }
            return inBatch(store, tp, found, from, ts -> ts >= timestamp).thenCompose(pinned -> {
                if (pinned.found() || round >= MAX_ROUNDS) {
                    return CompletableFuture.completedFuture(pinned);
                }
                return firstAtOrAfter(store, tp, found.lastOffset() + 1, timestamp, round + 1);
            });
        });
    }

    /** The first record with the largest timestamp, at or after {@code from}, or null when there is none. */
    public static CompletionStage<TimestampLookup> max(PartitionStore store, TopicPartition tp, long from) {
        return store.findMaxTimestamp(tp).thenCompose(found -> {
            if (found == null || !found.spansRecords() && found.offset() >= from) {
                return CompletableFuture.completedFuture(found);
            }
            long max = found.timestamp();
            return inBatch(store, tp, found, from, ts -> ts == max).thenApply(pinned -> pinned.found() ? pinned
                    : new TimestampLookup(true, Math.max(from, found.offset()), max, found.lastOffset()));
        });
    }

    /** The first record of the batch {@code found} at or after {@code from} whose timestamp matches. */
    private static CompletionStage<TimestampLookup> inBatch(PartitionStore store, TopicPartition tp, TimestampLookup found,
                                                            long from, LongPredicate matches) {
        return store.readBatches(tp, found.offset(), 1).thenApply(batches -> {
            TimestampLookup pinned = pin(batches, from, matches);
            return pinned != null ? pinned : new TimestampLookup(false, found.lastOffset() + 1, -1, -1);
        });
    }

    static TimestampLookup pin(StoredBatches batches, long from, LongPredicate matches) {
        if (batches.isEmpty()) {
            return null;
        }
        for (RecordBatch batch : MemoryRecords.readableRecords(batches.batch(0)).batches()) {
            for (Record r : batch) {
                if (r.offset() >= from && matches.test(r.timestamp())) {
                    return new TimestampLookup(true, r.offset(), r.timestamp(), r.offset());
                }
            }
        }
        return null;
    }
}
