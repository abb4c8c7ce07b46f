package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;

/**
 * DescribeTopicPartitions (what the Admin client's describeTopics uses): the named topics, or all of them,
 * in name order, with at most {@code response_partition_limit} partitions per response (and at most
 * Kafka's 2000) and a cursor to continue from, as Kafka pages them.
 */
public final class DescribeTopicPartitionsHandler implements ApiHandler<DescribeTopicPartitionsRequest> {

    /** Kafka's {@code max.request.partition.size.limit} default. */
    private static final int MAX_PARTITIONS = 2000;

    private final PartitionLeadership leadership;
    private final TopicManager topics;

    public DescribeTopicPartitionsHandler(PartitionLeadership leadership, TopicManager topics) {
        this.leadership = leadership;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeTopicPartitionsRequest request) {
        List<String> names = new ArrayList<>();
        request.data().topics().forEach(t -> names.add(t.name()));
        // A topic just created on another broker is looked up rather than reported unknown.
        return topics.resolve(names).handle((v, e) -> null).thenCompose(v -> answer(context, request));
    }

    private CompletionStage<ApiMessage> answer(RequestContext context, DescribeTopicPartitionsRequest request) {
        DescribeTopicPartitionsRequestData data = request.data();
        boolean all = data.topics().isEmpty();
        String cursorTopic = data.cursor() == null ? "" : data.cursor().topicName();
        TreeSet<String> names = new TreeSet<>();
        if (all) {
            topics.all().stream().filter(t -> context.permits(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name()))
                    .forEach(t -> names.add(t.name()));
        } else {
            for (TopicRequest t : data.topics()) {
                names.add(t.name());
            }
            if (data.cursor() != null && !names.contains(cursorTopic)) {
                throw new InvalidRequestException("DescribeTopicPartitionsRequest topic list should contain the cursor topic: "
                        + cursorTopic);
            }
        }
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        int remaining = Math.min(MAX_PARTITIONS, data.responsePartitionLimit());
        for (String name : names.tailSet(cursorTopic, true)) {
            if (remaining <= 0) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(0));
                break;
            }
            Topic topic = topics.get(name);
            if (!all && !context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
                response.topics().add(new DescribeTopicPartitionsResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                continue;
            }
            if (topic == null) {
                if (!all) {
                    response.topics().add(new DescribeTopicPartitionsResponseTopic()
                            .setName(name)
                            .setTopicId(Uuid.ZERO_UUID)
                            .setErrorCode(unknown(name).code()));
                }
                continue;
            }
            int first = name.equals(cursorTopic) ? data.cursor().partitionIndex() : 0;
            int end = (int) Math.min(topic.partitions(), (long) first + remaining);
            response.topics().add(describe(topic, first, end)
                    .setTopicAuthorizedOperations(context.authorizedOperations(ResourceType.TOPIC, topic.name())));
            remaining -= Math.max(0, end - first);
            if (end < topic.partitions()) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(end));
                break;
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private static Errors unknown(String name) {
        try {
            org.apache.kafka.common.internals.Topic.validate(name);
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } catch (InvalidTopicException e) {
            return Errors.INVALID_TOPIC_EXCEPTION;
        }
    }

    private DescribeTopicPartitionsResponseTopic describe(Topic topic, int first, int end) {
        List<DescribeTopicPartitionsResponsePartition> partitions = new ArrayList<>();
        for (int p = Math.max(0, first); p < end; p++) {
            int leader = leadership.leaderOf(topic, p);
            List<Integer> replicas = leadership.replicasOf(topic, p);
            partitions.add(new DescribeTopicPartitionsResponsePartition()
                    .setErrorCode(Errors.NONE.code())
                    .setPartitionIndex(p)
                    .setLeaderId(leader)
                    .setLeaderEpoch(leadership.epochOf(topic, p))
                    .setReplicaNodes(replicas)
                    .setIsrNodes(replicas)
                    .setEligibleLeaderReplicas(List.of())
                    .setLastKnownElr(List.of())
                    .setOfflineReplicas(List.of()));
        }
        return new DescribeTopicPartitionsResponseTopic()
                .setErrorCode(Errors.NONE.code())
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(false)
                .setPartitions(partitions);
    }
}
