package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.config.KorvetConfig;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.ConfigView;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicConfigViews;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.CreateTopicsRequest;

/** CreateTopics: each topic validated and created on its own, with Kafka's error codes and messages. */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {

    private final KorvetConfig config;
    private final TopicManager topics;
    private final io.korvet.quota.Throttles throttles;

    public CreateTopicsHandler(KorvetConfig config, TopicManager topics) {
        this(config, topics, io.korvet.quota.Throttles.NONE);
    }

    /** @param throttles the client quotas: {@code controller_mutation_rate}, strict from v6 */
    public CreateTopicsHandler(KorvetConfig config, TopicManager topics, io.korvet.quota.Throttles throttles) {
        this.config = config;
        this.topics = topics;
        this.throttles = throttles;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 7;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, CreateTopicsRequest request) {
        boolean validateOnly = request.data().validateOnly();
        Set<String> seen = new HashSet<>();
        Set<String> duplicated = new HashSet<>();
        for (CreatableTopic t : request.data().topics()) {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        }
        List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
        MutationQuota quota = new MutationQuota(throttles, context, (short) 6);
        for (CreatableTopic t : request.data().topics()) {
            if (duplicated.contains(t.name())) {
                results.add(CompletableFuture.completedFuture(failed(t.name(),
                        new InvalidRequestException("Create topics request from client contains a duplicate topic name: " + t.name()))));
                continue;
            }
            if (!context.permitsOnCluster(AclOperation.CREATE)
                    && !context.allowed(AclOperation.CREATE, ResourceType.TOPIC, t.name())) {
                results.add(CompletableFuture.completedFuture(failed(t.name(),
                        new org.apache.kafka.common.errors.TopicAuthorizationException("Authorization failed."))));
                continue;
            }
            boolean configsVisible = context.permits(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, t.name());
            int partitions = topics.get(t.name()) != null ? 0 : !t.assignments().isEmpty() ? t.assignments().size()
                    : t.numPartitions() == -1 ? config.numPartitions() : t.numPartitions();
            results.add(quota.apply(partitions, () -> create(t, validateOnly, configsVisible))
                    .exceptionally(failure -> failed(t.name(), ErrorMapper.toApiException(failure))).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).thenApply(v -> {
            CreateTopicsResponseData data = new CreateTopicsResponseData().setThrottleTimeMs(quota.finish());
            for (CompletableFuture<CreatableTopicResult> r : results) {
                data.topics().add(r.join());
            }
            return data;
        });
    }

    private CompletionStage<CreatableTopicResult> create(CreatableTopic t, boolean validateOnly, boolean configsVisible) {
        int partitions = t.numPartitions();
        short replication = t.replicationFactor();
        try {
            if (!t.assignments().isEmpty()) {
                if (partitions != -1 || replication != -1) {
                    throw new InvalidRequestException("Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
                }
                partitions = t.assignments().size();
                replication = 1;
                for (CreatableReplicaAssignment a : t.assignments()) {
                    if (a.partitionIndex() < 0 || a.partitionIndex() >= partitions) {
                        throw new InvalidReplicaAssignmentException("Partitions should be a consecutive 0-based integer sequence");
                    }
                    if (!a.brokerIds().equals(List.of(config.nodeId()))) {
                        throw new InvalidReplicaAssignmentException("Replica assignment " + a.brokerIds()
                                + " for partition " + a.partitionIndex() + " must name only this broker, " + config.nodeId());
                    }
                }
            }
        } catch (ApiException e) {
            return CompletableFuture.failedFuture(e);
        }
        Map<String, String> configs = new LinkedHashMap<>();
        for (CreatableTopicConfig c : t.configs()) {
            configs.put(c.name(), c.value());
        }
        return topics.create(t.name(), partitions, replication, configs, validateOnly).thenApply(topic -> created(topic, configsVisible));
    }

    private CreatableTopicResult created(Topic topic, boolean configsVisible) {
        CreatableTopicResult result = new CreatableTopicResult()
                .setName(topic.name())
                .setTopicId(topic.id())
                .setErrorCode(Errors.NONE.code())
                .setNumPartitions(topic.partitions())
                .setReplicationFactor((short) 1);
        if (!configsVisible) {
            // As Kafka answers a creator that may not describe the topic's configs.
            return result.setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        List<CreatableTopicConfigs> configs = new ArrayList<>();
        for (ConfigView v : TopicConfigViews.describe(topic.record(), topics.brokerConfigs(), null, false)) {
            configs.add(new CreatableTopicConfigs()
                    .setName(v.name())
                    .setValue(v.value())
                    .setReadOnly(v.readOnly())
                    .setIsSensitive(v.sensitive())
                    .setConfigSource(v.source().id()));
        }
        return result.setConfigs(configs);
    }

    private static CreatableTopicResult failed(String name, ApiException e) {
        return new CreatableTopicResult()
                .setName(name)
                .setErrorCode(Errors.forException(e).code())
                .setErrorMessage(ErrorMapper.message(e))
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1);
    }
}
