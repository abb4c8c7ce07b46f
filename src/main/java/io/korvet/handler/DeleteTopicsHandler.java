package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/**
 * DeleteTopics: topics named by name (every version) or by id (v6), each deleted on its own (its partition
 * streams and its registry entry), with Kafka's answers for unknown, duplicated or doubly named topics.
 */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {

    private final TopicManager topics;
    private final io.korvet.quota.Throttles throttles;

    public DeleteTopicsHandler(TopicManager topics) {
        this(topics, io.korvet.quota.Throttles.NONE);
    }

    /** @param throttles the client quotas: {@code controller_mutation_rate}, strict from v5 */
    public DeleteTopicsHandler(TopicManager topics, io.korvet.quota.Throttles throttles) {
        this.throttles = throttles;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DeleteTopicsRequest request) {
        DeleteTopicsRequestData data = request.data();
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        MutationQuota quota = new MutationQuota(throttles, context, (short) 5);
        List<String> names = new ArrayList<>(data.topicNames());
        List<Uuid> ids = new ArrayList<>();
        for (DeleteTopicState t : data.topics()) {
            if (t.name() == null && t.topicId().equals(Uuid.ZERO_UUID)) {
                results.add(done(result(null, Uuid.ZERO_UUID, new InvalidRequestException("Neither topic name nor id were specified."))));
            } else if (t.name() == null) {
                ids.add(t.topicId());
            } else if (t.topicId().equals(Uuid.ZERO_UUID)) {
                names.add(t.name());
            } else {
                results.add(done(result(t.name(), t.topicId(), new InvalidRequestException("You may not specify both topic name and topic id."))));
            }
        }
        Set<String> uniqueNames = unique(names);
        Set<Uuid> uniqueIds = unique(ids);
        for (String name : new LinkedHashSet<>(names)) {
            if (!uniqueNames.contains(name)) {
                results.add(done(result(name, Uuid.ZERO_UUID, new InvalidRequestException("Duplicate topic name."))));
            }
        }
        for (Uuid id : new LinkedHashSet<>(ids)) {
            if (!uniqueIds.contains(id)) {
                results.add(done(result(null, id, new InvalidRequestException("Duplicate topic id."))));
            }
        }
        for (Uuid id : uniqueIds) {
            Topic known = topics.get(id);
            if (known != null && !context.allowed(AclOperation.DELETE, ResourceType.TOPIC, known.name())) {
                results.add(done(result(null, id, new org.apache.kafka.common.errors.TopicAuthorizationException("Authorization failed."))));
                continue;
            }
            results.add(quota.apply(known == null ? 0 : known.partitions(), () -> topics.delete(id)).handle((deleted, failure) -> failure == null
                    ? result(deleted.name(), id, null)
                    : result(known == null ? null : known.name(), id, ErrorMapper.toApiException(failure))).toCompletableFuture());
        }
        for (String name : uniqueNames) {
            Topic known = topics.get(name);
            if (!context.allowed(AclOperation.DELETE, ResourceType.TOPIC, name)) {
                results.add(done(result(name, Uuid.ZERO_UUID,
                        new org.apache.kafka.common.errors.TopicAuthorizationException("Authorization failed."))));
                continue;
            }
            if (known != null && uniqueIds.contains(known.id())) {
                results.add(done(result(name, known.id(),
                        new InvalidRequestException("The provided topic name maps to an ID that was already supplied."))));
                continue;
            }
            results.add(quota.apply(known == null ? 0 : known.partitions(), () -> topics.delete(name)).handle((deleted, failure) -> failure == null
                    ? result(name, deleted.id(), null)
                    : result(name, Uuid.ZERO_UUID, ErrorMapper.toApiException(failure))).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).thenApply(v -> {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData().setThrottleTimeMs(quota.finish());
            for (CompletableFuture<DeletableTopicResult> r : results) {
                response.responses().add(r.join());
            }
            return response;
        });
    }

    /** The values that occur exactly once, in order. */
    private static <T> Set<T> unique(List<T> values) {
        Set<T> seen = new HashSet<>();
        Set<T> repeated = new HashSet<>();
        for (T v : values) {
            if (!seen.add(v)) {
                repeated.add(v);
            }
        }
        Set<T> once = new LinkedHashSet<>(values);
        once.removeAll(repeated);
        return once;
    }

    private static DeletableTopicResult result(String name, Uuid id, ApiException error) {
        return new DeletableTopicResult()
                .setName(name)
                .setTopicId(id)
                .setErrorCode(error == null ? Errors.NONE.code() : Errors.forException(error).code())
                .setErrorMessage(ErrorMapper.message(error));
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
