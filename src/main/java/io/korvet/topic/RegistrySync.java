package io.korvet.topic;

import io.korvet.storage.TopicRecord;
import io.korvet.storage.TopicStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this broker's topics and dynamic broker configs in step with the registry, which every broker changes: a
 * reload when the registry's change counter moves ({@link #refresh}), and a lookup of names not known here yet
 * ({@link #resolve}). Neither undoes a change this broker made after the registry was read (see {@link TopicCache}).
 */
final class RegistrySync {

    private static final Logger log = LoggerFactory.getLogger(RegistrySync.class);

    private final TopicStore store;
    private final TopicCache cache;
    private final BrokerConfigs brokerConfigs;
    private final PartitionLogs partitionLogs;
    /** Whether this broker is deleting a topic of that name itself. */
    private final Predicate<String> deletingHere;
    private final java.util.function.Consumer<Map<String, String>> nodeChanged;

    /**
     * @param nodeChanged told of this broker's own dynamic configs when another broker changed them
     */
    RegistrySync(TopicStore store, TopicCache cache, BrokerConfigs brokerConfigs, PartitionLogs partitionLogs,
                 Predicate<String> deletingHere, java.util.function.Consumer<Map<String, String>> nodeChanged) {
        this.nodeChanged = nodeChanged;
        this.store = store;
        this.cache = cache;
        this.brokerConfigs = brokerConfigs;
        this.partitionLogs = partitionLogs;
        this.deletingHere = deletingHere;
    }

    CompletionStage<Void> resolve(Collection<String> names) {
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            if (name != null && !cache.contains(name) && !deletingHere.test(name)) {
                unknown.add(name);
            }
        }
        if (unknown.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        long readAfter = cache.stamp();
        return store.loadTopics(unknown).thenAccept(found -> {
            for (TopicRecord r : found) {
                if (!r.deleting()) {
                    cache.putIfUnchanged(r, readAfter, brokerConfigs);
                }
            }
        });
    }

    CompletionStage<Void> refresh() {
        long readAfter = cache.stamp();
        CompletionStage<Void> dynamic = store.loadBrokerConfigs().thenAccept(all -> {
            boolean changed = false;
            String node = brokerConfigs.nodeResource();
            for (String resource : List.of("", node)) {
                if (!all.containsKey(resource) && brokerConfigs.setDynamic(resource, Map.of())) {
                    changed = true;
                    if (resource.equals(node)) {
                        nodeChanged.accept(Map.of());
                    }
                }
            }
            for (Map.Entry<String, Map<String, String>> e : all.entrySet()) {
                boolean changedHere = brokerConfigs.setDynamic(e.getKey(), e.getValue());
                if (changedHere && e.getKey().equals(node)) {
                    nodeChanged.accept(e.getValue());
                }
                changed |= changedHere;
            }
            if (changed) {
                // Another broker changed a topic default: the topics without a value of their own follow it here too.
                cache.rebuild(brokerConfigs);
            }
        });
        CompletionStage<Void> registry = store.loadTopics().thenAccept(records -> cache.reconcile(records, readAfter, brokerConfigs,
                gone -> {
                    log.info("Topic {} (id {}) was deleted on another broker", gone.name(), gone.id());
                    partitionLogs.forgetPartitions(gone.name(), gone.partitions());
                }));
        return dynamic.thenCombine(registry, (a, b) -> null);
    }
}
