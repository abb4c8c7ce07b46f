package io.korvet.handler;

import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.ClusterMembership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupConfigs;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListConfigResourcesRequest;

/**
 * ListConfigResources (KIP-1142; v0 was KIP-714's ListClientMetricsResources): the resources that have configs, of
 * the types asked (all those the version knows when none is named), as Kafka lists them: every topic, every live
 * broker (for BROKER and BROKER_LOGGER), the groups whose configs were set, and client-metrics resources, of which
 * Korvet has none (it does not take clients' telemetry). {@code kafka-client-metrics.sh --list} and
 * {@code kafka-configs.sh --describe --entity-type groups} ask it. DESCRIBE_CONFIGS on the cluster, as in Kafka; a
 * type the version does not know is UNSUPPORTED_VERSION.
 */
public final class ListConfigResourcesHandler implements ApiHandler<ListConfigResourcesRequest> {

    private final TopicManager topics;
    private final ClusterMembership membership;
    /** Null when share groups are off: then no group has configs. */
    private final GroupConfigs groupConfigs;

    public ListConfigResourcesHandler(TopicManager topics, ClusterMembership membership, GroupConfigs groupConfigs) {
        this.topics = topics;
        this.membership = membership;
        this.groupConfigs = groupConfigs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_CONFIG_RESOURCES;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, ListConfigResourcesRequest request) {
        if (!context.allowedOnCluster(AclOperation.DESCRIBE_CONFIGS)) {
            return CompletableFuture.completedFuture(request.getErrorResponse(0, Errors.CLUSTER_AUTHORIZATION_FAILED.exception()).data());
        }
        Set<Byte> supported = request.supportedResourceTypes();
        Collection<Byte> types = request.data().resourceTypes().isEmpty() ? supported : request.data().resourceTypes();
        if (!supported.containsAll(types)) {
            return CompletableFuture.completedFuture(new ListConfigResourcesResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
        }
        CompletionStage<Set<String>> groups = types.contains(ConfigResource.Type.GROUP.id()) && groupConfigs != null
                ? groupConfigs.configured() : CompletableFuture.completedFuture(Set.of());
        CompletionStage<Void> topicsRead = types.contains(ConfigResource.Type.TOPIC.id())
                ? topics.refresh() : CompletableFuture.completedFuture(null);
        return groups.<Void, ApiMessage>thenCombine(topicsRead, (groupIds, v) -> {
            List<ListConfigResourcesResponseData.ConfigResource> out = new ArrayList<>();
            if (types.contains(ConfigResource.Type.GROUP.id())) {
                groupIds.forEach(id -> out.add(resource(id, ConfigResource.Type.GROUP)));
            }
            for (ConfigResource.Type brokerType : List.of(ConfigResource.Type.BROKER_LOGGER, ConfigResource.Type.BROKER)) {
                if (types.contains(brokerType.id())) {
                    membership.view().brokers().stream().mapToInt(BrokerInfo::nodeId).sorted()
                            .forEach(id -> out.add(resource(Integer.toString(id), brokerType)));
                }
            }
            if (types.contains(ConfigResource.Type.TOPIC.id())) {
                Set<String> names = new TreeSet<>();
                topics.all().stream().map(Topic::name).forEach(names::add);
                names.forEach(name -> out.add(resource(name, ConfigResource.Type.TOPIC)));
            }
            return new ListConfigResourcesResponseData().setErrorCode(Errors.NONE.code()).setConfigResources(out);
        });
    }

    private static ListConfigResourcesResponseData.ConfigResource resource(String name, ConfigResource.Type type) {
        return new ListConfigResourcesResponseData.ConfigResource().setResourceName(name).setResourceType(type.id());
    }
}
