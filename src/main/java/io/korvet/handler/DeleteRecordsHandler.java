package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.log.LogManager;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicConfigs;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResultCollection;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

/**
 * DeleteRecords: removes each partition's records below the given offset ({@code -1}: the high watermark)
 * from its stream and moves the log start offset there; answers the new log start offset as the low
 * watermark. Past the high watermark is OFFSET_OUT_OF_RANGE; a topic without the {@code delete} cleanup
 * policy is POLICY_VIOLATION, as in Kafka.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {

    private final TopicManager topics;
    private final LogManager logs;
    private final PartitionLeadership leadership;

    public DeleteRecordsHandler(TopicManager topics, LogManager logs, PartitionLeadership leadership) {
        this.topics = topics;
        this.logs = logs;
        this.leadership = leadership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DeleteRecordsRequest request) {
        return PerPartition.answer(distinct(request.data().topics()), DeleteRecordsTopic::partitions, (t, p) -> delete(context, t, p),
                (t, answers) -> new DeleteRecordsTopicResult().setName(t.name())
                        .setPartitions(new DeleteRecordsPartitionResultCollection(answers.iterator())))
                .thenApply(results -> new DeleteRecordsResponseData()
                        .setTopics(new DeleteRecordsTopicResultCollection(results.iterator())));
    }

    /**
     * The request's topics and partitions, each once, as Kafka reads them into a map: a partition named again gets
     * the offset given last. Each is then trimmed once, and the response's keyed collections get no duplicate keys
     * (kafka-clients fills those in time that grows with the cube of the duplicates).
     */
    static List<DeleteRecordsTopic> distinct(List<DeleteRecordsTopic> topics) {
        Map<String, Map<Integer, DeleteRecordsPartition>> byTopic = new LinkedHashMap<>();
        for (DeleteRecordsTopic t : topics) {
            Map<Integer, DeleteRecordsPartition> partitions = byTopic.computeIfAbsent(t.name(), n -> new LinkedHashMap<>());
            for (DeleteRecordsPartition p : t.partitions()) {
                partitions.put(p.partitionIndex(), p);
            }
        }
        List<DeleteRecordsTopic> out = new ArrayList<>(byTopic.size());
        byTopic.forEach((name, partitions) -> out.add(new DeleteRecordsTopic().setName(name)
                .setPartitions(new ArrayList<>(partitions.values()))));
        return out;
    }

    private CompletionStage<DeleteRecordsPartitionResult> delete(RequestContext context, DeleteRecordsTopic t, DeleteRecordsPartition p) {
        if (!context.allowed(AclOperation.DELETE, ResourceType.TOPIC, t.name())) {
            return CompletableFuture.completedFuture(result(p.partitionIndex(), Errors.TOPIC_AUTHORIZATION_FAILED, -1));
        }
        Topic topic = topics.get(t.name());
        if (topic == null || !topic.hasPartition(p.partitionIndex())) {
            return CompletableFuture.completedFuture(result(p.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1));
        }
        if (!leadership.leads(topic, p.partitionIndex())) {
            return CompletableFuture.completedFuture(result(p.partitionIndex(), Errors.NOT_LEADER_OR_FOLLOWER, -1));
        }
        if (!TopicConfigs.deletesRecords(topic.record().configs(), topics.brokerConfigs())) {
            return CompletableFuture.completedFuture(result(p.partitionIndex(), Errors.POLICY_VIOLATION, -1));
        }
        return logs.log(new TopicPartition(topic.name(), p.partitionIndex())).deleteRecordsBefore(p.offset())
                .handle((start, failure) -> failure == null
                        ? result(p.partitionIndex(), Errors.NONE, start)
                        : result(p.partitionIndex(), ErrorMapper.toError(failure), -1));
    }

    private static DeleteRecordsPartitionResult result(int partition, Errors error, long lowWatermark) {
        return new DeleteRecordsPartitionResult()
                .setPartitionIndex(partition)
                .setErrorCode(error.code())
                .setLowWatermark(lowWatermark);
    }
}
