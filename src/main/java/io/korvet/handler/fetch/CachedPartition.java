package io.korvet.handler.fetch;

import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * One partition of a fetch session: the request parameters last sent for it (an incremental request leaves out
 * the partitions whose parameters did not change) and what its last answer told the client (high watermark and
 * log start offset), so that an incremental answer can leave out the partitions with nothing new.
 */
final class CachedPartition {

    private final PartitionKey key;
    private FetchPartition request;
    private long highWatermark;
    private long logStartOffset;

    /** A partition an incremental request adds: nothing told yet, so its first answer always carries it. */
    CachedPartition(PartitionKey key, FetchPartition request) {
        this(key, request, -1, -1);
    }

    /** A partition of a new session, with what the full answer that created the session told. */
    CachedPartition(PartitionKey key, FetchPartition request, PartitionData answered) {
        this(key, request, answered.highWatermark(), answered.logStartOffset());
    }

    private CachedPartition(PartitionKey key, FetchPartition request, long highWatermark, long logStartOffset) {
        this.key = key;
        this.request = request.duplicate();
        this.highWatermark = highWatermark;
        this.logStartOffset = logStartOffset;
    }

    PartitionKey key() {
        return key;
    }

    FetchPartition request() {
        return request;
    }

    long highWatermark() {
        return highWatermark;
    }

    long logStartOffset() {
        return logStartOffset;
    }

    /** The client changed this partition's fetch offset, byte limit or epochs. */
    void updateRequest(FetchPartition changed) {
        this.request = changed.duplicate();
    }

    /**
     * Whether an incremental answer must carry this partition, as Kafka decides it: when it has records, a new
     * high watermark or log start offset, an error, a preferred read replica or a diverging epoch. With
     * {@code update}, remembers what the answer tells (and, after an error, forgets the high watermark, so that the
     * partition is sent again once the error is gone).
     */
    boolean mustRespond(PartitionData answer, boolean update) {
        boolean mustRespond = FetchResponse.recordsSize(answer) > 0;
        if (highWatermark != answer.highWatermark()) {
            mustRespond = true;
            if (update) {
                highWatermark = answer.highWatermark();
            }
        }
        if (logStartOffset != answer.logStartOffset()) {
            mustRespond = true;
            if (update) {
                logStartOffset = answer.logStartOffset();
            }
        }
        if (FetchResponse.isPreferredReplica(answer) || FetchResponse.isDivergingEpoch(answer)) {
            mustRespond = true;
        }
        if (answer.errorCode() != Errors.NONE.code()) {
            mustRespond = true;
            if (update) {
                highWatermark = -1;
            }
        }
        return mustRespond;
    }
}
