package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.ClusterView;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.config.KorvetConfig;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata: the live brokers, and the requested topics (all of them for a null list) with the leader of each
 * partition and its leader epoch. Unknown topics are created when the request allows it and
 * {@code auto.create.topics.enable} is true.
 */
public final class MetadataHandler implements ApiHandler<MetadataRequest> {

    private final KorvetConfig config;
    private final TopicManager topics;
    private final PartitionLeadership leadership;

    public MetadataHandler(KorvetConfig config, TopicManager topics, PartitionLeadership leadership) {
        this.config = config;
        this.topics = topics;
        this.leadership = leadership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, MetadataRequest request) {
        List<MetadataRequestTopic> named = request.data().topics();
        if (named == null || named.isEmpty()) {
            return answer(context, request);
        }
        // A topic just created on another broker is looked up rather than reported unknown (or created again).
        List<String> names = new ArrayList<>();
        named.forEach(t -> names.add(t.name()));
        return topics.resolve(names).handle((v, e) -> null).thenCompose(v -> answer(context, request));
    }

    private CompletionStage<ApiMessage> answer(RequestContext context, MetadataRequest request) {
        short version = context.apiVersion();
        List<CompletableFuture<MetadataResponseTopic>> answers = new ArrayList<>();
        List<MetadataRequestTopic> requested = request.data().topics();
        boolean all = requested == null || (version == 0 && requested.isEmpty());
        if (all) {
            for (Topic t : topics.all()) {
                // As Kafka does, a listing shows only the topics the caller may describe.
                if (context.permits(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name())) {
                    answers.add(CompletableFuture.completedFuture(describe(t)));
                }
            }
        } else {
            boolean autoCreate = config.autoCreateTopics() && (version < 4 || request.data().allowAutoTopicCreation());
            // Each topic once, as Kafka reads the requested topics into a set: the response is keyed by name.
            Set<Object> seen = new HashSet<>();
            for (MetadataRequestTopic rt : requested) {
                if (seen.add(byId(rt) ? rt.topicId() : rt.name())) {
                    answers.add(answer(context, rt, autoCreate, version).toCompletableFuture());
                }
            }
        }
        return CompletableFuture.allOf(answers.toArray(new CompletableFuture[0])).thenApply(v -> {
            ClusterView view = leadership.view();
            MetadataResponseData data = new MetadataResponseData()
                    .setClusterId(config.clusterId())
                    .setControllerId(view.controllerId());
            for (BrokerInfo b : view.brokers()) {
                io.korvet.config.Endpoint e = b.on(context.listenerName());
                if (e != null) {
                    data.brokers().add(new MetadataResponseBroker()
                            .setNodeId(b.nodeId())
                            .setHost(e.host())
                            .setPort(e.port())
                            .setRack(b.rack()));
                }
            }
            boolean topicOps = version >= 8 && request.data().includeTopicAuthorizedOperations();
            for (CompletableFuture<MetadataResponseTopic> a : answers) {
                MetadataResponseTopic topic = a.join();
                if (topicOps && topic.errorCode() == Errors.NONE.code()) {
                    topic.setTopicAuthorizedOperations(context.authorizedOperations(ResourceType.TOPIC, topic.name()));
                }
                data.topics().add(topic);
            }
            if (version >= 8 && version <= 10 && request.data().includeClusterAuthorizedOperations()) {
                data.setClusterAuthorizedOperations(AuthorizedOperations.ofCluster(context));
            }
            return data;
        });
    }

    /**
     * Whether a requested topic is named by its id: a non-zero id with no name (null, or empty as the consumer
     * protocol's clients send it to resolve the topic ids of their assignment).
     */
    private static boolean byId(MetadataRequestTopic rt) {
        return rt.topicId() != null && !Uuid.ZERO_UUID.equals(rt.topicId()) && (rt.name() == null || rt.name().isEmpty());
    }

    private CompletionStage<MetadataResponseTopic> answer(RequestContext context, MetadataRequestTopic requested, boolean autoCreate,
                                                          short version) {
        MetadataRequestTopic rt = byId(requested) ? new MetadataRequestTopic().setTopicId(requested.topicId()).setName(null) : requested;
        Topic t = rt.name() != null ? topics.get(rt.name()) : topics.get(rt.topicId());
        String name = t != null ? t.name() : rt.name();
        if (name != null && !context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
            return CompletableFuture.completedFuture(error(rt.name() != null ? rt.name() : version >= 12 ? null : "",
                    rt.name() != null ? Uuid.ZERO_UUID : rt.topicId(), Errors.TOPIC_AUTHORIZATION_FAILED));
        }
        if (t != null) {
            return CompletableFuture.completedFuture(describe(t));
        }
        if (rt.name() == null) {
            // Response topic names may be null only from v12 on.
            return CompletableFuture.completedFuture(error(version >= 12 ? null : "", rt.topicId(), Errors.UNKNOWN_TOPIC_ID));
        }
        try {
            org.apache.kafka.common.internals.Topic.validate(rt.name());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(error(rt.name(), Uuid.ZERO_UUID, Errors.INVALID_TOPIC_EXCEPTION));
        }
        if (!autoCreate) {
            return CompletableFuture.completedFuture(error(rt.name(), Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        if (!context.permitsOnCluster(AclOperation.CREATE)
                && !context.allowed(AclOperation.CREATE, ResourceType.TOPIC, rt.name())) {
            return CompletableFuture.completedFuture(error(rt.name(), Uuid.ZERO_UUID, Errors.TOPIC_AUTHORIZATION_FAILED));
        }
        return topics.create(rt.name(), -1, (short) -1, Map.of(), false)
                .handle((created, failure) -> {
                    if (failure == null) {
                        return describe(created);
                    }
                    Topic raced = topics.get(rt.name());
                    return raced != null ? describe(raced) : error(rt.name(), Uuid.ZERO_UUID, ErrorMapper.toError(failure));
                });
    }

    private MetadataResponseTopic describe(Topic t) {
        MetadataResponseTopic topic = new MetadataResponseTopic()
                .setName(t.name())
                .setTopicId(t.id())
                .setErrorCode(Errors.NONE.code())
                .setIsInternal(false);
        for (int p = 0; p < t.partitions(); p++) {
            int leader = leadership.leaderOf(t, p);
            List<Integer> replicas = leadership.replicasOf(t, p);
            topic.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setErrorCode(Errors.NONE.code())
                    .setLeaderId(leader)
                    .setLeaderEpoch(leadership.epochOf(t, p))
                    .setReplicaNodes(replicas)
                    .setIsrNodes(replicas)
                    .setOfflineReplicas(List.of()));
        }
        return topic;
    }

    private static MetadataResponseTopic error(String name, Uuid id, Errors error) {
        return new MetadataResponseTopic().setName(name).setTopicId(id).setErrorCode(error.code());
    }
}
