package io.korvet.handler;

import io.korvet.topic.TopicManager;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.internals.Topic;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: changing one resource's configs, topic or broker,
 * with Kafka's answers for the resource types Korvet does not configure.
 */
final class ConfigResources {

    private ConfigResources() {
    }

    /**
     * Applies {@code change} to the configs set on the resource: a topic's own configs, or a broker
     * resource's dynamic configs ("" for the cluster-wide default).
     */
    static CompletionStage<Void> alter(RequestContext context, TopicManager topics, byte resourceType, String resourceName,
                                       UnaryOperator<Map<String, String>> change, boolean validateOnly) {
        try {
            ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
            checkAccess(context, AclOperation.ALTER_CONFIGS, type, resourceName);
            switch (type) {
                case TOPIC -> {
                    if (resourceName.isEmpty()) {
                        throw new InvalidRequestException("Default topic resources are not allowed.");
                    }
                    Topic.validate(resourceName);
                    return topics.alterConfigs(resourceName, change, validateOnly).thenApply(t -> null);
                }
                case BROKER -> {
                    return topics.alterBrokerConfigs(resourceName, change, validateOnly);
                }
                case UNKNOWN -> throw new UnsupportedVersionException("Unknown resource type " + resourceType + ".");
                default -> throw new InvalidRequestException("Unexpected resource type " + type + ".");
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Kafka's check of a config resource: the operation on the topic, or on the cluster for a broker resource, else
     * TOPIC_AUTHORIZATION_FAILED or CLUSTER_AUTHORIZATION_FAILED.
     */
    static void checkAccess(RequestContext context, AclOperation op, ConfigResource.Type type, String name) {
        if (type == ConfigResource.Type.TOPIC && !context.allowed(op, ResourceType.TOPIC, name)) {
            throw new TopicAuthorizationException("Authorization failed.");
        }
        if (type == ConfigResource.Type.GROUP && !context.allowed(op, ResourceType.GROUP, name)) {
            throw new org.apache.kafka.common.errors.GroupAuthorizationException("Authorization failed.");
        }
        if ((type == ConfigResource.Type.BROKER || type == ConfigResource.Type.BROKER_LOGGER) && !context.allowedOnCluster(op)) {
            throw new ClusterAuthorizationException("Authorization failed.");
        }
    }

    /**
     * Alters each resource of a request on its own and answers each: a resource named more than once is
     * answered once, with INVALID_REQUEST, as Kafka does.
     *
     * @param key the resource's type and name
     */
    static <R, A> CompletionStage<List<A>> alterEach(Collection<R> resources, Function<R, String> key,
                                                     Function<R, CompletionStage<Void>> alter,
                                                     BiFunction<R, ApiException, A> response) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicated = new HashSet<>();
        for (R r : resources) {
            if (!seen.add(key.apply(r))) {
                duplicated.add(key.apply(r));
            }
        }
        List<CompletableFuture<A>> results = new ArrayList<>();
        Set<String> answered = new HashSet<>();
        for (R r : resources) {
            CompletionStage<Void> done;
            if (!duplicated.contains(key.apply(r))) {
                done = alter.apply(r);
            } else if (answered.add(key.apply(r))) {
                done = CompletableFuture.failedFuture(new InvalidRequestException("Duplicate resource."));
            } else {
                continue;
            }
            results.add(done.handle((v, failure) -> response.apply(r, failure == null ? null : ErrorMapper.toApiException(failure)))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture[0]))
                .thenApply(v -> results.stream().map(CompletableFuture::join).toList());
    }
}
