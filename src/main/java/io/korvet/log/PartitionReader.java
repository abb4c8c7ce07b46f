package io.korvet.log;

import io.korvet.storage.PartitionStore;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.StoredRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * The reads of one partition for Fetch, in either stream format: what lies below the high watermark from an offset
 * on, served from a read made ahead when there is one, and the sizes that tell a Fetch how much to read.
 */
final class PartitionReader {

    /** What a record read into memory takes beyond its key and value (objects, array headers), roughly. */
    private static final int STORED_RECORD_OVERHEAD = 80;

    private final TopicPartition tp;
    private final PartitionStore store;
    private final ReadAhead<List<StoredRecord>> records;
    private final ReadAhead<StoredBatches> batches;
    private volatile int averageRecordBytes = 256;
    private volatile int averageBatchBytes = 16 * 1024;

    PartitionReader(TopicPartition tp, PartitionStore store, ReadAhead.Budget budget) {
        this.tp = tp;
        this.store = store;
        this.records = new ReadAhead<>(budget, (from, n) -> store.read(tp, from, n).toCompletableFuture());
        this.batches = new ReadAhead<>(budget, (from, n) -> store.readBatches(tp, from, n).toCompletableFuture());
    }

    int averageRecordBytes() {
        return averageRecordBytes;
    }

    int averageBatchBytes() {
        return averageBatchBytes;
    }

    /** Notes an appended batch's size, so that reads are sized to what the partition holds. */
    void appended(IncomingBatch batch) {
        int bytes = batch.approximateBytes();
        averageRecordBytes = Math.max(16, (averageRecordBytes * 7 + bytes / batch.count()) / 8);
        if (batch.isStored()) {
            averageBatchBytes = Math.max(64, (averageBatchBytes * 7 + bytes) / 8);
        }
    }

    CompletionStage<List<StoredRecord>> read(long offset, int maxRecords, long hw) {
        if (offset >= hw) {
            return CompletableFuture.completedFuture(List.of());
        }
        int limit = (int) Math.min(maxRecords, hw - offset);
        CompletableFuture<List<StoredRecord>> ahead = records.take(offset);
        CompletionStage<List<StoredRecord>> source = ahead == null
                ? store.read(tp, offset, limit)
                : ahead.exceptionallyCompose(e -> store.read(tp, offset, limit).toCompletableFuture());
        return source.thenApply(list -> below(list, limit, hw));
    }

    /** The first {@code limit} of {@code list}, without those at or past the high watermark. */
    static List<StoredRecord> below(List<StoredRecord> list, int limit, long hw) {
        int end = Math.min(list.size(), limit);
        while (end > 0 && list.get(end - 1).offset() >= hw) {
            end--;
        }
        return end == list.size() ? list : list.subList(0, end);
    }

    /** The batches of {@code read} that start below the high watermark (and so end below it). */
    static StoredBatches below(StoredBatches read, long hw) {
        int end = read.count();
        while (end > 0 && read.baseOffset(end - 1) >= hw) {
            end--;
        }
        return read.first(end);
    }

    /**
     * Up to {@code maxBatches} batches from the one holding {@code offset} on, each wholly below the high watermark
     * (a batch is acknowledged whole, so one that starts below it ends below it).
     */
    CompletionStage<StoredBatches> readBatches(long offset, int maxBatches, long hw) {
        if (offset >= hw) {
            return CompletableFuture.completedFuture(StoredBatches.EMPTY);
        }
        CompletableFuture<StoredBatches> ahead = batches.take(offset);
        CompletionStage<StoredBatches> source = ahead == null
                ? store.readBatches(tp, offset, maxBatches)
                : ahead.exceptionallyCompose(e -> store.readBatches(tp, offset, maxBatches).toCompletableFuture());
        return source.thenApply(read -> below(read, hw));
    }

    void readAhead(long offset, int maxRecords, long hw) {
        if (offset >= hw) {
            return;
        }
        int count = (int) Math.min(maxRecords, hw - offset);
        records.start(offset, count, (long) count * (averageRecordBytes + STORED_RECORD_OVERHEAD));
    }

    void readAheadBatches(long offset, int maxBatches, long hw) {
        if (offset >= hw) {
            return;
        }
        batches.start(offset, maxBatches, (long) maxBatches * averageBatchBytes);
    }

    void clear() {
        records.clear();
        batches.clear();
    }
}
