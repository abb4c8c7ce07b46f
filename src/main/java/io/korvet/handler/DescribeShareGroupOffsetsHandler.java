package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.ShareCoordination;
import io.korvet.group.ShareCoordination.PartitionOffsets;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeShareGroupOffsets (KIP-932): each share partition's start offset and (v1) lag, for the partitions asked or
 * (topics null) every partition the group has state for. DESCRIBE on the group, and on each topic.
 */
public final class DescribeShareGroupOffsetsHandler implements ApiHandler<DescribeShareGroupOffsetsRequest> {

    private final ShareCoordination share;
    private final TopicManager topics;

    public DescribeShareGroupOffsetsHandler(ShareCoordination share, TopicManager topics) {
        this.share = share;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeShareGroupOffsetsRequest request) {
        List<CompletableFuture<DescribeShareGroupOffsetsResponseGroup>> groups = new ArrayList<>();
        for (DescribeShareGroupOffsetsRequestGroup g : request.data().groups()) {
            groups.add(group(context, g).toCompletableFuture());
        }
        return CompletableFuture.allOf(groups.toArray(new CompletableFuture[0])).thenApply(v -> {
            DescribeShareGroupOffsetsResponseData out = new DescribeShareGroupOffsetsResponseData();
            groups.forEach(g -> out.groups().add(g.join()));
            return out;
        });
    }

    private CompletionStage<DescribeShareGroupOffsetsResponseGroup> group(RequestContext context, DescribeShareGroupOffsetsRequestGroup g) {
        DescribeShareGroupOffsetsResponseGroup out = new DescribeShareGroupOffsetsResponseGroup().setGroupId(g.groupId());
        if (!context.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()));
        }
        List<TopicPartition> wanted = null;
        if (g.topics() != null) {
            wanted = new ArrayList<>();
            for (var t : g.topics()) {
                for (int p : t.partitions()) {
                    wanted.add(new TopicPartition(t.topicName(), p));
                }
            }
        }
        return share.describeOffsets(g.groupId(), wanted).thenApply(offsets -> {
            Map<String, DescribeShareGroupOffsetsResponseTopic> byTopic = new TreeMap<>();
            offsets.forEach((tp, o) -> {
                if (!context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, tp.topic())) {
                    return;
                }
                Topic topic = topics.get(tp.topic());
                Errors error = topic == null || !topic.hasPartition(tp.partition()) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : o.error();
                byTopic.computeIfAbsent(tp.topic(), n -> new DescribeShareGroupOffsetsResponseTopic().setTopicName(n)
                        .setTopicId(topic == null ? Uuid.ZERO_UUID : topic.id())).partitions().add(partition(tp, o, error));
            });
            out.topics().addAll(byTopic.values());
            return out;
        }).exceptionally(e -> {
            Errors error = ErrorMapper.toError(e, ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS);
            return out.setErrorCode(error.code()).setErrorMessage(ErrorMapper.message(e));
        });
    }

    private static DescribeShareGroupOffsetsResponsePartition partition(TopicPartition tp, PartitionOffsets o, Errors error) {
        return new DescribeShareGroupOffsetsResponsePartition().setPartitionIndex(tp.partition()).setStartOffset(o.startOffset())
                .setLeaderEpoch(-1).setLag(o.lag()).setErrorCode(error.code()).setErrorMessage(error == Errors.NONE ? null : error.message());
    }
}
