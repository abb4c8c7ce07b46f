package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

/** OffsetDelete: a group's committed offsets for topics it no longer consumes. */
public final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {

    private final GroupCoordinator coordinator;
    private final TopicManager topics;

    public OffsetDeleteHandler(GroupCoordinator coordinator, TopicManager topics) {
        this.coordinator = coordinator;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, OffsetDeleteRequest request) {
        var d = request.data();
        if (!context.allowed(AclOperation.DELETE, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.completedFuture(new OffsetDeleteResponseData().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
        List<TopicPartition> known = new ArrayList<>();
        Set<String> unauthorized = new HashSet<>();
        for (OffsetDeleteRequestTopic t : d.topics()) {
            if (!context.allowed(AclOperation.READ, ResourceType.TOPIC, t.name())) {
                unauthorized.add(t.name());
                continue;
            }
            Topic topic = topics.get(t.name());
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                if (topic != null && topic.hasPartition(p.partitionIndex())) {
                    known.add(new TopicPartition(t.name(), p.partitionIndex()));
                }
            }
        }
        return coordinator.deleteOffsets(d.groupId(), known).handle((Map<TopicPartition, Errors> result, Throwable failure) -> {
            OffsetDeleteResponseData out = new OffsetDeleteResponseData();
            if (failure != null) {
                return out.setErrorCode(ErrorMapper.toError(failure, ApiKeys.OFFSET_DELETE).code());
            }
            for (OffsetDeleteRequestTopic t : d.topics()) {
                OffsetDeleteResponseTopic rt = new OffsetDeleteResponseTopic().setName(t.name());
                // Each partition once: the response is keyed by partition.
                Set<Integer> answered = new HashSet<>();
                for (OffsetDeleteRequestPartition p : t.partitions()) {
                    if (!answered.add(p.partitionIndex())) {
                        continue;
                    }
                    Errors e = unauthorized.contains(t.name()) ? Errors.TOPIC_AUTHORIZATION_FAILED
                            : result.getOrDefault(new TopicPartition(t.name(), p.partitionIndex()), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                    rt.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex()).setErrorCode(e.code()));
                }
                out.topics().add(rt);
            }
            return out.setErrorCode(Errors.NONE.code());
        });
    }
}
