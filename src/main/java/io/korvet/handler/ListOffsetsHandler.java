package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import io.korvet.log.TimestampSearch;
import io.korvet.storage.PartitionStore.TimestampLookup;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets: earliest (the log start offset), latest (the high watermark; read_committed: the last stable offset), the record with the largest
 * timestamp, and by timestamp the first offset whose timestamp is at or after the one asked.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {

    private final TopicManager topics;
    private final LogManager logs;
    private final PartitionLeadership leadership;

    public ListOffsetsHandler(TopicManager topics, LogManager logs, PartitionLeadership leadership) {
        this.topics = topics;
        this.logs = logs;
        this.leadership = leadership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 11;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ListOffsetsRequest request) {
        List<CompletableFuture<ListOffsetsPartitionResponse>> all = new ArrayList<>();
        List<ListOffsetsTopicResponse> topicResponses = new ArrayList<>();
        List<List<CompletableFuture<ListOffsetsPartitionResponse>>> byTopic = new ArrayList<>();
        for (ListOffsetsTopic lt : request.data().topics()) {
            Topic topic = topics.get(lt.name());
            List<CompletableFuture<ListOffsetsPartitionResponse>> parts = new ArrayList<>();
            for (ListOffsetsPartition lp : lt.partitions()) {
                CompletableFuture<ListOffsetsPartitionResponse> part;
                if (!context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, lt.name())) {
                    part = CompletableFuture.completedFuture(error(lp.partitionIndex(), Errors.TOPIC_AUTHORIZATION_FAILED));
                } else if (topic == null || !topic.hasPartition(lp.partitionIndex())) {
                    part = CompletableFuture.completedFuture(error(lp.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION));
                } else if (!leadership.leads(topic, lp.partitionIndex())) {
                    part = CompletableFuture.completedFuture(error(lp.partitionIndex(), Errors.NOT_LEADER_OR_FOLLOWER));
                } else {
                    part = lookup(logs.log(new TopicPartition(topic.name(), lp.partitionIndex())), lp,
                            request.data().isolationLevel() == 1).toCompletableFuture();
                }
                parts.add(part);
                all.add(part);
            }
            topicResponses.add(new ListOffsetsTopicResponse().setName(lt.name()));
            byTopic.add(parts);
        }
        boolean hasEpoch = context.apiVersion() >= 4;
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).thenApply(v -> {
            ListOffsetsResponseData data = new ListOffsetsResponseData();
            for (int i = 0; i < topicResponses.size(); i++) {
                ListOffsetsTopicResponse tr = topicResponses.get(i);
                for (CompletableFuture<ListOffsetsPartitionResponse> p : byTopic.get(i)) {
                    // Leader epochs exist on the wire from v4 on.
                    tr.partitions().add(hasEpoch ? p.join() : p.join().setLeaderEpoch(-1));
                }
                data.topics().add(tr);
            }
            return data;
        });
    }

    /** @param committed isolation level read_committed: nothing at or past the last stable offset is found */
    private CompletionStage<ListOffsetsPartitionResponse> lookup(PartitionLog log, ListOffsetsPartition lp, boolean committed) {
        int partition = lp.partitionIndex();
        long ts = lp.timestamp();
        return log.ensureLoaded().thenCompose(v -> {
            Errors epochError = LeaderEpochCheck.check(lp.currentLeaderEpoch(), log.leaderEpoch());
            if (epochError != Errors.NONE) {
                return CompletableFuture.completedFuture(error(partition, epochError));
            }
            int epoch = log.leaderEpoch();
            long start = log.logStartOffset();
            long end = committed ? log.lastStableOffset() : log.highWatermark();
            if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
                return CompletableFuture.completedFuture(found(partition, epoch, -1, start));
            }
            if (ts == ListOffsetsRequest.LATEST_TIMESTAMP) {
                return CompletableFuture.completedFuture(found(partition, epoch, -1, end));
            }
            if (ts == ListOffsetsRequest.MAX_TIMESTAMP) {
                return TimestampSearch.max(logs.store(), log.topicPartition(), start).thenApply(r ->
                        r == null || r.offset() >= end ? found(partition, epoch, -1, -1) : found(partition, epoch, r.timestamp(), r.offset()));
            }
            if (ts < 0) {
                // Tiered-storage lookups (latest tiered, earliest pending upload): nothing is tiered here.
                return CompletableFuture.completedFuture(found(partition, epoch, -1, -1));
            }
            return TimestampSearch.firstAtOrAfter(logs.store(), log.topicPartition(), start, ts).thenApply(r ->
                    notFoundOrBeyond(r, end) ? found(partition, epoch, -1, -1) : found(partition, epoch, r.timestamp(), r.offset()));
        }).exceptionally(e -> error(partition, ErrorMapper.toError(e, ApiKeys.LIST_OFFSETS)));
    }

    private static boolean notFoundOrBeyond(TimestampLookup r, long end) {
        return !r.found() || r.offset() >= end;
    }

    private static ListOffsetsPartitionResponse found(int partition, int epoch, long timestamp, long offset) {
        return new ListOffsetsPartitionResponse()
                .setPartitionIndex(partition)
                .setErrorCode(Errors.NONE.code())
                .setTimestamp(timestamp)
                .setOffset(offset)
                .setLeaderEpoch(epoch);
    }

    private static ListOffsetsPartitionResponse error(int partition, Errors error) {
        return new ListOffsetsPartitionResponse()
                .setPartitionIndex(partition)
                .setErrorCode(error.code())
                .setTimestamp(-1)
                .setOffset(-1)
                .setLeaderEpoch(-1);
    }
}
