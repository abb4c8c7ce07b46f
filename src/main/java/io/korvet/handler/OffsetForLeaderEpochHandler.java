package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;

/**
 * OffsetForLeaderEpoch, which consumers use to validate their positions. A partition here only ever has
 * leader epoch {@value MetadataHandler#LEADER_EPOCH}: asked for it, the end offset is the high watermark;
 * asked for any other epoch, the answer is Kafka's "undefined" (-1, -1). A current leader epoch other than
 * ours is FENCED_LEADER_EPOCH (older) or UNKNOWN_LEADER_EPOCH (newer), as a Kafka leader answers.
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {

    private final TopicManager topics;
    private final LogManager logs;

    public OffsetForLeaderEpochHandler(TopicManager topics, LogManager logs) {
        this.topics = topics;
        this.logs = logs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, OffsetsForLeaderEpochRequest request) {
        return PerPartition.answer(request.data().topics(), OffsetForLeaderTopic::partitions, this::answer,
                (t, answers) -> new OffsetForLeaderTopicResult().setTopic(t.topic()).setPartitions(answers))
                .thenApply(results -> new OffsetForLeaderEpochResponseData()
                        .setTopics(new OffsetForLeaderTopicResultCollection(results.iterator())));
    }

    private CompletionStage<EpochEndOffset> answer(OffsetForLeaderTopic t, OffsetForLeaderPartition p) {
        Topic topic = topics.get(t.topic());
        if (topic == null || !topic.hasPartition(p.partition())) {
            return CompletableFuture.completedFuture(answer(p.partition(), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1));
        }
        return endOffset(logs.log(new TopicPartition(topic.name(), p.partition())), p);
    }

    private static CompletionStage<EpochEndOffset> endOffset(PartitionLog log, OffsetForLeaderPartition p) {
        int current = p.currentLeaderEpoch();
        if (current != -1 && current < MetadataHandler.LEADER_EPOCH) {
            return CompletableFuture.completedFuture(answer(p.partition(), Errors.FENCED_LEADER_EPOCH, -1, -1));
        }
        if (current > MetadataHandler.LEADER_EPOCH) {
            return CompletableFuture.completedFuture(answer(p.partition(), Errors.UNKNOWN_LEADER_EPOCH, -1, -1));
        }
        if (p.leaderEpoch() != MetadataHandler.LEADER_EPOCH) {
            return CompletableFuture.completedFuture(answer(p.partition(), Errors.NONE, -1, -1));
        }
        return log.ensureLoaded()
                .thenApply(v -> answer(p.partition(), Errors.NONE, MetadataHandler.LEADER_EPOCH, log.highWatermark()))
                .exceptionally(e -> answer(p.partition(), ErrorMapper.toError(e, ApiKeys.OFFSET_FOR_LEADER_EPOCH), -1, -1));
    }

    private static EpochEndOffset answer(int partition, Errors error, int epoch, long endOffset) {
        return new EpochEndOffset()
                .setPartition(partition)
                .setErrorCode(error.code())
                .setLeaderEpoch(epoch)
                .setEndOffset(endOffset);
    }
}
