package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.cluster.PartitionLeadership;
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
 * OffsetForLeaderEpoch, which consumers use to validate their positions after a leader change (KIP-320), answered
 * by the partition's leader from the epochs the partition had ({@link PartitionLog#endOffsetFor}): the end offset of
 * the current epoch is the high watermark, of an earlier one the start of the next, of a later one undefined
 * (-1, -1). A current leader epoch other than the leader's is FENCED_LEADER_EPOCH (older) or UNKNOWN_LEADER_EPOCH
 * (newer), as a Kafka leader answers.
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {

    private final TopicManager topics;
    private final LogManager logs;
    private final PartitionLeadership leadership;

    public OffsetForLeaderEpochHandler(TopicManager topics, LogManager logs, PartitionLeadership leadership) {
        this.topics = topics;
        this.logs = logs;
        this.leadership = leadership;
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
        return PerPartition.answer(request.data().topics(), OffsetForLeaderTopic::partitions, (t, p) -> answer(context, t, p),
                (t, answers) -> new OffsetForLeaderTopicResult().setTopic(t.topic()).setPartitions(answers))
                .thenApply(results -> new OffsetForLeaderEpochResponseData()
                        .setTopics(new OffsetForLeaderTopicResultCollection(results.iterator())));
    }

    private CompletionStage<EpochEndOffset> answer(RequestContext context, OffsetForLeaderTopic t, OffsetForLeaderPartition p) {
        if (!context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic())) {
            return CompletableFuture.completedFuture(answer(p.partition(), Errors.TOPIC_AUTHORIZATION_FAILED, -1, -1));
        }
        Topic topic = topics.get(t.topic());
        if (topic == null || !topic.hasPartition(p.partition())) {
            return CompletableFuture.completedFuture(answer(p.partition(), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1));
        }
        if (!leadership.leads(topic, p.partition())) {
            return CompletableFuture.completedFuture(answer(p.partition(), Errors.NOT_LEADER_OR_FOLLOWER, -1, -1));
        }
        return endOffset(logs.log(new TopicPartition(topic.name(), p.partition())), p);
    }

    private static CompletionStage<EpochEndOffset> endOffset(PartitionLog log, OffsetForLeaderPartition p) {
        return log.ensureLoaded().thenApply(v -> {
            Errors epochError = LeaderEpochCheck.check(p.currentLeaderEpoch(), log.leaderEpoch());
            if (epochError != Errors.NONE) {
                return answer(p.partition(), epochError, -1, -1);
            }
            long[] end = log.endOffsetFor(p.leaderEpoch());
            return answer(p.partition(), Errors.NONE, (int) end[0], end[1]);
        }).exceptionally(e -> answer(p.partition(), ErrorMapper.toError(e, ApiKeys.OFFSET_FOR_LEADER_EPOCH), -1, -1));
    }

    private static EpochEndOffset answer(int partition, Errors error, int epoch, long endOffset) {
        return new EpochEndOffset()
                .setPartition(partition)
                .setErrorCode(error.code())
                .setLeaderEpoch(epoch)
                .setEndOffset(endOffset);
    }
}
