package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.config.KorvetConfig;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

/**
 * CreatePartitions: raises each topic's partition count on its own. The new partitions start empty;
 * fewer or as many partitions as now is INVALID_PARTITIONS, and manual assignments may only name this broker.
 */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {

    private final KorvetConfig config;
    private final TopicManager topics;
    private final io.korvet.quota.Throttles throttles;

    public CreatePartitionsHandler(KorvetConfig config, TopicManager topics) {
        this(config, topics, io.korvet.quota.Throttles.NONE);
    }

    /** @param throttles the client quotas: {@code controller_mutation_rate}, strict from v3 */
    public CreatePartitionsHandler(KorvetConfig config, TopicManager topics, io.korvet.quota.Throttles throttles) {
        this.throttles = throttles;
        this.config = config;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, CreatePartitionsRequest request) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicated = new HashSet<>();
        for (CreatePartitionsTopic t : request.data().topics()) {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        }
        List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
        MutationQuota quota = new MutationQuota(throttles, context, (short) 3);
        for (String name : duplicated) {
            results.add(CompletableFuture.completedFuture(result(name, new InvalidRequestException("Duplicate topic name."))));
        }
        for (CreatePartitionsTopic t : request.data().topics()) {
            if (duplicated.contains(t.name())) {
                continue;
            }
            if (!context.allowed(AclOperation.ALTER, ResourceType.TOPIC, t.name())) {
                results.add(CompletableFuture.completedFuture(result(t.name(),
                        new org.apache.kafka.common.errors.TopicAuthorizationException("Authorization failed."))));
                continue;
            }
            Topic current = topics.get(t.name());
            int added = current == null ? 0 : Math.max(0, t.count() - current.partitions());
            CompletionStage<Topic> grown = quota.apply(added, () -> {
                checkAssignments(t);
                return topics.createPartitions(t.name(), t.count(), request.data().validateOnly());
            });
            results.add(grown.handle((topic, failure) ->
                    result(t.name(), failure == null ? null : ErrorMapper.toApiException(failure))).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).thenApply(v -> {
            CreatePartitionsResponseData data = new CreatePartitionsResponseData().setThrottleTimeMs(quota.finish());
            results.forEach(r -> data.results().add(r.join()));
            return data;
        });
    }

    /** Manual assignments (when the count is an increase): one per new partition, each naming this broker alone. */
    private void checkAssignments(CreatePartitionsTopic t) {
        Topic topic = topics.get(t.name());
        if (t.assignments() == null || topic == null || t.count() <= topic.partitions()) {
            return;
        }
        int additional = t.count() - topic.partitions();
        if (t.assignments().size() != additional) {
            throw new InvalidReplicaAssignmentException("Attempted to add " + additional + " additional partition(s), but only "
                    + t.assignments().size() + " assignment(s) were specified.");
        }
        for (CreatePartitionsAssignment a : t.assignments()) {
            for (int broker : a.brokerIds()) {
                if (broker != config.nodeId()) {
                    throw new InvalidReplicaAssignmentException("The manual partition assignment includes broker " + broker
                            + ", but no such broker is registered.");
                }
            }
            if (a.brokerIds().size() != 1) {
                throw new InvalidReplicaAssignmentException("The manual partition assignment includes a partition with "
                        + a.brokerIds().size() + " replica(s), but this is not consistent with previous partitions, which have 1 replica(s).");
            }
        }
    }

    private static CreatePartitionsTopicResult result(String name, ApiException error) {
        return new CreatePartitionsTopicResult()
                .setName(name)
                .setErrorCode(error == null ? Errors.NONE.code() : Errors.forException(error).code())
                .setErrorMessage(ErrorMapper.message(error));
    }
}
