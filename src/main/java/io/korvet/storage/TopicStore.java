package io.korvet.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/** The topic registry, the source of producer ids, the dynamic broker configs and the cluster's feature levels. */
public interface TopicStore {

    CompletionStage<List<TopicRecord>> loadTopics();

    /** The records of the named topics that are registered (the others are left out). */
    CompletionStage<List<TopicRecord>> loadTopics(Collection<String> names);

    /** Registers the topic; completes with false when a topic of that name already exists. */
    CompletionStage<Boolean> createTopic(TopicRecord topic);

    /**
     * Replaces a topic's record atomically: {@code change} gets the record as registered now (null when
     * there is none) and returns its replacement (null to remove it, the same instance to leave it). When
     * another writer changed the record meanwhile, {@code change} runs again on the new one. A failure
     * thrown by {@code change} fails the update and writes nothing. Completes with the replacement.
     */
    CompletionStage<TopicRecord> updateTopic(String name, UnaryOperator<TopicRecord> change);

    /** A producer id never handed out before, by any broker on this Redis. */
    CompletionStage<Long> nextProducerId();

    /**
     * The dynamic broker configs by resource name: {@code ""} for the cluster-wide default, a node id
     * for one broker.
     */
    CompletionStage<Map<String, Map<String, String>>> loadBrokerConfigs();

    /** Replaces one resource's dynamic broker configs atomically, as {@link #updateTopic} does. */
    CompletionStage<Map<String, String>> updateBrokerConfigs(String resource, UnaryOperator<Map<String, String>> change);

    /**
     * The cluster's finalized feature levels as UpdateFeatures last left them ({@code <feature>=<level>} and
     * {@code epoch=<n>}), empty before the first update.
     */
    CompletionStage<Map<String, String>> loadFeatures();

    /** Replaces the finalized feature levels atomically, as {@link #updateTopic} does; the other brokers reload them. */
    CompletionStage<Map<String, String>> updateFeatures(UnaryOperator<Map<String, String>> change);

    /**
     * The client quotas (AlterClientQuotas): each entity ({@code type=name} lines, an empty name for a default) to its
     * quotas ({@code key=value} lines).
     */
    CompletionStage<Map<Map<String, String>, Map<String, String>>> loadQuotas();

    /** Replaces one entity's quotas atomically, as {@link #updateTopic} does (an empty map removes the entity). */
    CompletionStage<Map<String, String>> updateQuotas(Map<String, String> entity, UnaryOperator<Map<String, String>> change);
}
