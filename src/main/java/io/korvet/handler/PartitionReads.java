package io.korvet.handler;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.handler.fetch.PartitionKey;
import io.korvet.log.FollowerReads;
import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import io.korvet.storage.AbortedTxn;
import io.korvet.storage.TxnIndex;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.StoredRecord;
import io.korvet.storage.StreamFormat;
import io.korvet.topic.Topic;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The reads of one fetched partition: from this broker's log where it leads the partition, from the stream up to
 * the leader's high watermark where it follows (KIP-392), or a redirect to a replica of the consumer's rack; sized
 * by the partition's byte limit. Nothing here knows of other partitions, sessions or waiting.
 */
final class PartitionReads {

    private static final int MAX_RECORDS_PER_READ = 10_000;
    private static final int MAX_BATCHES_PER_READ = 1_000;
    /** Bytes a follower guesses a stored entry holds when sizing its read (it keeps no averages of its own). */
    private static final int FOLLOWER_BATCH_GUESS = 4096;
    private static final int FOLLOWER_RECORD_GUESS = 256;

    private final PartitionLeadership leadership;
    private final FollowerReads followers;

    PartitionReads(LogManager logs, PartitionLeadership leadership) {
        this.leadership = leadership;
        this.followers = new FollowerReads(logs.store());
    }

    /** One requested partition, resolved: its topic and log, or the error that answers it without a read. */
    record Wanted(PartitionKey key, FetchPartition request, Topic topic, PartitionLog log, Errors error) {
    }

    /**
     * What one read of a partition found: records or batches below the high watermark (below the last stable offset
     * for read_committed, with the aborted transactions among them).
     */
    record Read(Wanted wanted, Errors error, List<StoredRecord> records, StoredBatches batches, long highWatermark,
                long logStartOffset, int count, int preferredReadReplica, long lastStableOffset, List<AbortedTxn> aborted) {

        Read(Wanted wanted, Errors error, List<StoredRecord> records, StoredBatches batches, long highWatermark,
             long logStartOffset, int count, int preferredReadReplica) {
            this(wanted, error, records, batches, highWatermark, logStartOffset, count, preferredReadReplica, highWatermark, null);
        }

        Read(Wanted wanted, Errors error, long highWatermark, long logStartOffset) {
            this(wanted, error, List.of(), StoredBatches.EMPTY, highWatermark, logStartOffset, 0, -1);
        }

        /** The offset after the last record read, or the fetch offset when nothing was. */
        long endOffset() {
            if (!batches.isEmpty()) {
                return batches.lastOffset(batches.count() - 1) + 1;
            }
            return records.isEmpty() ? wanted.request().fetchOffset() : records.get(records.size() - 1).offset() + 1;
        }

        /** The bytes read: the stored batches', or the keys and values of the records. */
        int bytes() {
            if (!batches.isEmpty()) {
                return batches.bytesThrough(batches.count() - 1);
            }
            int bytes = 0;
            for (StoredRecord rec : records) {
                bytes += (rec.value() == null ? 0 : rec.value().length) + (rec.key() == null ? 0 : rec.key().length);
            }
            return bytes;
        }
    }

    /** Whether this broker reads the partition as a follower (and so hears of no appends to it). */
    boolean readsAsFollower(Wanted w) {
        return w.topic() != null && w.error() == Errors.NONE && !leadership.leads(w.topic(), w.request().partition());
    }

    /**
     * @param clientRack the consumer's rack ("" for none), or null when its version reads from leaders only
     * @param committed whether the consumer reads committed records only (isolation level read_committed)
     */
    CompletionStage<Read> read(Wanted w, String clientRack, boolean committed) {
        if (w.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(new Read(w, w.error(), -1, -1));
        }
        PartitionLog log = w.log();
        // Checked at every attempt: a fetch waiting for records here reads as a follower once this broker stops leading.
        if (!leadership.leads(w.topic(), w.request().partition())) {
            return clientRack == null ? CompletableFuture.completedFuture(new Read(w, Errors.NOT_LEADER_OR_FOLLOWER, -1, -1))
                    : followerRead(w, committed);
        }
        return log.ensureLoaded().thenCompose(v -> {
            Errors epochError = LeaderEpochCheck.check(w.request().currentLeaderEpoch(), log.leaderEpoch());
            if (epochError != Errors.NONE) {
                return CompletableFuture.completedFuture(new Read(w, epochError, -1, -1));
            }
            long hw = log.highWatermark();
            long start = log.logStartOffset();
            int preferred = leadership.preferredReadReplica(w.topic(), w.request().partition(), clientRack);
            if (preferred >= 0) {
                // KIP-392: no records from here; the consumer fetches from the broker of its rack from now on.
                return CompletableFuture.completedFuture(new Read(w, Errors.NONE, List.of(), StoredBatches.EMPTY, hw, start, 0, preferred));
            }
            long lso = log.lastStableOffset();
            Source source = new Source(log.averageBatchBytes(), log.averageRecordBytes(), true, log::readBatches, log::read);
            return readRange(w, start, hw, committed ? lso : hw, source).thenApply(read -> committed(read, lso,
                    committed ? log.abortedTransactions(w.request().fetchOffset(), read.endOffset()) : null));
        }).exceptionally(e -> new Read(w, ErrorMapper.toError(e, ApiKeys.FETCH), -1, -1));
    }

    /**
     * A consumer fetching from this broker, a follower of the partition (KIP-392), or one whose metadata still names
     * it the leader: read from the stream up to what the leader acknowledged, without claiming the partition.
     */
    private CompletionStage<Read> followerRead(Wanted w, boolean committed) {
        TopicPartition tp = new TopicPartition(w.topic().name(), w.request().partition());
        long offset = w.request().fetchOffset();
        // The transaction index costs two more Redis reads: only a read_committed consumer needs it. It is read after
        // the offsets, so that a transaction begun below the high watermark read is in it.
        return followers.offsets(tp).thenCompose(o -> (committed ? followers.transactions(tp, offset)
                : CompletableFuture.completedFuture(TxnIndex.EMPTY)).thenCompose(txns -> {
            long hw = o.highWatermark();
            long lso = FollowerReads.lastStableOffset(txns, hw);
            Source source = new Source(FOLLOWER_BATCH_GUESS, FOLLOWER_RECORD_GUESS, false,
                    (from, count, bound) -> followers.readBatches(tp, from, count, bound),
                    (from, count, bound) -> followers.read(tp, from, count, bound));
            return readRange(w, o.logStartOffset(), hw, committed ? lso : hw, source).thenApply(read -> committed(read, lso,
                    committed ? FollowerReads.abortedBetween(txns, offset, read.endOffset()) : null));
        })).exceptionally(e -> new Read(w, ErrorMapper.toError(e, ApiKeys.FETCH), -1, -1));
    }

    /** The read with the partition's last stable offset and, for read_committed, the aborted transactions in it. */
    private static Read committed(Read r, long lso, List<AbortedTxn> aborted) {
        if (r.error() != Errors.NONE) {
            return r;
        }
        return new Read(r.wanted(), r.error(), r.records(), r.batches(), r.highWatermark(), r.logStartOffset(), r.count(),
                r.preferredReadReplica(), lso, aborted);
    }

    /** Reads up to {@code count} records or batches from {@code offset}, all below {@code bound}. */
    interface RangeReader<T> {
        CompletionStage<T> read(long offset, int count, long bound);
    }

    /**
     * Where a partition's records come from: the leader's log (which reads ahead for the next fetch) or, on a
     * follower, the stream itself up to the leader's high watermark; and the entry sizes the read is sized by.
     */
    private record Source(int averageBatchBytes, int averageRecordBytes, boolean readsAhead,
                          RangeReader<StoredBatches> batches, RangeReader<List<StoredRecord>> records) {
    }

    /**
     * The records from the fetch offset, within [start, hw] (OFFSET_OUT_OF_RANGE outside), below {@code bound} (the
     * high watermark, or the last stable offset for read_committed), as many as the request's bytes.
     */
    private static CompletionStage<Read> readRange(Wanted w, long start, long hw, long bound, Source source) {
        long offset = w.request().fetchOffset();
        if (offset < start || offset > hw) {
            return CompletableFuture.completedFuture(new Read(w, Errors.OFFSET_OUT_OF_RANGE, hw, start));
        }
        if (offset >= bound) {
            return CompletableFuture.completedFuture(new Read(w, Errors.NONE, hw, start));
        }
        long maxBytes = Math.max(0, w.request().partitionMaxBytes());
        if (w.topic().format() == StreamFormat.BATCH) {
            int count = (int) Math.max(1, Math.min(MAX_BATCHES_PER_READ, maxBytes / source.averageBatchBytes() + 1));
            return source.batches().read(offset, count, bound).thenApply(
                    batches -> new Read(w, Errors.NONE, List.of(), batches, hw, start, source.readsAhead() ? count : 0, -1));
        }
        int count = (int) Math.max(1, Math.min(MAX_RECORDS_PER_READ, maxBytes / source.averageRecordBytes() + 1));
        return source.records().read(offset, count, bound).thenApply(
                records -> new Read(w, Errors.NONE, records, StoredBatches.EMPTY, hw, start, source.readsAhead() ? count : 0, -1));
    }
}
