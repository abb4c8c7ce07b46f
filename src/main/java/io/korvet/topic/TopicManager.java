package io.korvet.topic;

import io.korvet.config.KorvetConfig;
import io.korvet.storage.StreamFormat;
import io.korvet.storage.TopicRecord;
import io.korvet.storage.TopicStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics: the registry in Redis, cached here, and the rules Kafka applies when one is created, deleted,
 * given more partitions or reconfigured. Also holds the broker configs, whose dynamic part is in Redis too.
 *
 * <p>Every change to a registered topic is a compare-and-set on its registry record. A deletion first marks
 * the record (the topic disappears for clients at once), then removes the partition streams, then the
 * record; a broker that stops half-way finishes the deletion when it starts again.
 */
public final class TopicManager {

    private static final Logger log = LoggerFactory.getLogger(TopicManager.class);

    /** The broker key bounding a topic's partition count: each partition is a stream, listed in every Metadata answer. */
    public static final String MAX_PARTITIONS_KEY = TopicRules.MAX_PARTITIONS_KEY;

    private final TopicStore store;
    private final KorvetConfig config;
    private final PartitionLogs partitionLogs;
    private final BrokerConfigs brokerConfigs;
    private final TopicRules rules;
    private final TopicCache cache = new TopicCache();
    private final RegistrySync sync;
    /** Topics marked for deletion whose streams may still exist. */
    private final Map<String, TopicRecord> deleting = new ConcurrentHashMap<>();
    private final List<Consumer<Topic>> deletionListeners = new CopyOnWriteArrayList<>();
    private volatile java.util.function.IntSupplier liveBrokers = () -> 1;
    private volatile NodeConfigs nodeConfigs = NodeConfigs.NONE;

    public TopicManager(TopicStore store, KorvetConfig config, PartitionLogs partitionLogs) {
        this.store = store;
        this.config = config;
        this.partitionLogs = partitionLogs;
        this.brokerConfigs = new BrokerConfigs(config);
        this.sync = new RegistrySync(store, cache, brokerConfigs, partitionLogs, deleting::containsKey,
                mine -> nodeConfigs.apply(mine));
        this.rules = new TopicRules((int) KorvetConfig.parseLong(MAX_PARTITIONS_KEY, brokerConfigs.value(MAX_PARTITIONS_KEY), 1,
                Integer.MAX_VALUE));
    }

    /** Loads the registry and the dynamic broker configs; finishes deletions a previous run left half-done. */
    public CompletionStage<Void> load() {
        CompletionStage<Void> dynamic = store.loadBrokerConfigs().thenAccept(all -> all.forEach(brokerConfigs::setDynamic));
        CompletionStage<Void> registry = store.loadTopics().thenAccept(records -> {
            for (TopicRecord r : records) {
                if (r.deleting()) {
                    deleting.put(r.name(), r);
                    log.info("Finishing the deletion of topic {} (id {})", r.name(), r.id());
                    finishDeletion(r).exceptionally(e -> {
                        log.warn("Could not finish deleting topic {} yet: {}", r.name(), e.toString());
                        return null;
                    });
                } else {
                    cache(r);
                }
            }
        });
        return dynamic.thenCombine(registry, (a, b) -> null);
    }

    public Topic get(String name) {
        return cache.get(name);
    }

    /**
     * The topic of {@code id}, or null. A miss also starts a reload of the registry (at most one in flight, and one
     * every {@value #UNKNOWN_ID_RELOAD_MS} ms): clients that name topics by id (Produce v13, Fetch v13+) learn of a
     * topic from another broker's Metadata, and retry here until this broker knows it too, as with Kafka's metadata
     * propagation; the reload makes that the next retry rather than the next registry change.
     */
    public Topic get(Uuid id) {
        Topic topic = cache.get(id);
        if (topic == null && id != null && !Uuid.ZERO_UUID.equals(id)) {
            reloadForUnknownId();
        }
        return topic;
    }

    static final long UNKNOWN_ID_RELOAD_MS = 500;
    private final java.util.concurrent.atomic.AtomicLong nextUnknownIdReload = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

    private void reloadForUnknownId() {
        long now = System.nanoTime();
        long next = nextUnknownIdReload.get();
        if (now - next < 0 || !nextUnknownIdReload.compareAndSet(next, now + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(UNKNOWN_ID_RELOAD_MS))) {
            return;
        }
        CompletionStage<Void> reload;
        try {
            reload = refresh();
        } catch (RuntimeException e) {
            reload = CompletableFuture.failedFuture(e);
        }
        reload.whenComplete((v, e) -> {
            if (e != null) {
                log.debug("Could not reload the registry for an unknown topic id: {}", e.toString());
            }
        });
    }

    public Collection<Topic> all() {
        return cache.all();
    }

    /** The broker's configs: static, and dynamic as altered. */
    public BrokerConfigs brokerConfigs() {
        return brokerConfigs;
    }

    /** How many brokers are live: a topic's replication factor may be up to that (each is a replica of every partition). */
    public void liveBrokers(java.util.function.IntSupplier count) {
        this.liveBrokers = count;
    }

    /**
     * Hands this broker's own dynamic configs to {@code configs}: checked before an AlterConfigs stores them, applied
     * once stored (here or, read from Redis, when another broker stored them), and applied now with those loaded.
     */
    public void onNodeConfigs(NodeConfigs configs) {
        this.nodeConfigs = configs;
        configs.apply(brokerConfigs.dynamic(brokerConfigs.nodeResource()));
    }

    /** Runs {@code listener} with each topic once it is deleted (its streams and registry entry gone). */
    public void onTopicDeleted(Consumer<Topic> listener) {
        deletionListeners.add(listener);
    }

    /**
     * Creates a topic as Kafka's CreateTopics does.
     *
     * @param partitions -1 for {@code num.partitions}
     * @param replicationFactor -1, or up to the live brokers; Redis, not Korvet, keeps copies
     */
    public CompletionStage<Topic> create(String name, int partitions, short replicationFactor,
                                                         Map<String, String> requestedConfigs, boolean validateOnly) {
        Map<String, String> configs = TopicConfigs.normalize(requestedConfigs);
        try {
            org.apache.kafka.common.internals.Topic.validate(name);
            if (cache.contains(name)) {
                throw new TopicExistsException("Topic '" + name + "' already exists.");
            }
            if (deleting.containsKey(name)) {
                throw new TopicExistsException("Topic '" + name + "' is marked for deletion.");
            }
            if (org.apache.kafka.common.internals.Topic.hasCollisionChars(name)) {
                for (String existing : cache.names()) {
                    if (org.apache.kafka.common.internals.Topic.hasCollision(name, existing)) {
                        throw new InvalidTopicException("Topic '" + name + "' collides with existing topic: " + existing);
                    }
                }
            }
            int count = rules.newPartitionCount(name, partitions == -1 ? config.numPartitions() : partitions);
            TopicRules.checkReplicationFactor(replicationFactor, liveBrokers.getAsInt());
            TopicConfigs.validate(configs);
            StreamFormat format = StreamFormat.parse(TopicConfigs.effective(configs, TopicConfigs.STREAM_FORMAT, brokerConfigs));
            TopicRecord record = new TopicRecord(name, Uuid.randomUuid(), count, configs, format);
            if (validateOnly) {
                return CompletableFuture.completedFuture(Topic.of(record, brokerConfigs));
            }
            return store.createTopic(record).thenApply(created -> {
                if (!created) {
                    throw new TopicExistsException("Topic '" + name + "' already exists.");
                }
                log.info("Created topic {} with {} partitions (id {}, {} format){}", name, count, record.id(), format.configValue(),
                        configs.isEmpty() ? "" : " and configs " + configs);
                return cache(record);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Deletes a topic named by name: its partition streams and its registry entry. */
    public CompletionStage<Topic> delete(String name) {
        Topic topic = cache.get(name);
        if (topic == null) {
            TopicRecord half = deleting.get(name);
            if (half != null) {
                // A deletion that failed half-way (Redis unreachable): the retry finishes it.
                return finishDeletion(half).thenApply(v -> Topic.of(half, brokerConfigs));
            }
            return CompletableFuture.failedFuture(new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
        }
        return delete(topic);
    }

    /** Deletes a topic named by id. */
    public CompletionStage<Topic> delete(Uuid id) {
        Topic topic = cache.get(id);
        if (topic == null) {
            return CompletableFuture.failedFuture(new UnknownTopicIdException("Topic id " + id + " does not exist."));
        }
        return delete(topic);
    }

    private CompletionStage<Topic> delete(Topic topic) {
        String name = topic.name();
        return store.updateTopic(name, current -> {
            if (current == null || !current.id().equals(topic.id())) {
                throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
            }
            return current.deleting() ? current : current.markedDeleting();
        }).thenCompose(marked -> {
            deleting.put(name, marked);
            uncache(marked);
            return finishDeletion(marked).thenApply(v -> Topic.of(marked, brokerConfigs));
        });
    }

    private CompletionStage<Void> finishDeletion(TopicRecord marked) {
        return partitionLogs.deletePartitions(marked.name(), 0, marked.partitions())
                .thenCompose(v -> store.updateTopic(marked.name(), current ->
                        current != null && current.deleting() && current.id().equals(marked.id()) ? null : current))
                .thenAccept(v -> {
                    deleting.remove(marked.name(), marked);
                    log.info("Deleted topic {} (id {}, {} partitions)", marked.name(), marked.id(), marked.partitions());
                    Topic gone = Topic.of(marked, brokerConfigs);
                    for (Consumer<Topic> l : deletionListeners) {
                        try {
                            l.accept(gone);
                        } catch (RuntimeException e) {
                            log.warn("A listener failed on the deletion of topic {}", marked.name(), e);
                        }
                    }
                });
    }

    /**
     * CreatePartitions: raises a topic's partition count. The new partitions start empty (any stream left
     * under their keys is removed first); fewer or as many partitions as now is INVALID_PARTITIONS.
     */
    public CompletionStage<Topic> createPartitions(String name, int count, boolean validateOnly) {
        Topic topic = cache.get(name);
        try {
            if (topic == null) {
                throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
            }
            rules.checkIncrease(name, topic.partitions(), count);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(topic);
        }
        return partitionLogs.deletePartitions(name, topic.partitions(), count)
                .thenCompose(v -> store.updateTopic(name, current -> {
                    if (current == null || current.deleting() || !current.id().equals(topic.id())) {
                        throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
                    }
                    rules.checkIncrease(name, current.partitions(), count);
                    return current.withPartitions(count);
                }))
                .thenApply(updated -> {
                    log.info("Topic {} now has {} partitions (was {})", name, count, topic.partitions());
                    return cache(updated);
                });
    }

    /**
     * Changes a topic's configs: {@code change} gets the configs set on the topic now and returns them as they
     * must be; the result is validated (INVALID_CONFIG) before anything is written.
     */
    public CompletionStage<Topic> alterConfigs(String name, UnaryOperator<Map<String, String>> change, boolean validateOnly) {
        Topic topic = cache.get(name);
        if (topic == null) {
            return CompletableFuture.failedFuture(new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
        }
        if (validateOnly) {
            try {
                Map<String, String> configs = TopicConfigs.normalize(change.apply(topic.record().configs()));
                TopicConfigs.validate(configs);
                TopicConfigs.checkFormatUnchanged(topic.record(), configs);
                return CompletableFuture.completedFuture(topic);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return store.updateTopic(name, current -> {
            if (current == null || current.deleting() || !current.id().equals(topic.id())) {
                throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
            }
            Map<String, String> configs = TopicConfigs.normalize(change.apply(current.configs()));
            TopicConfigs.validate(configs);
            TopicConfigs.checkFormatUnchanged(current, configs);
            return configs.equals(current.configs()) ? current : current.withConfigs(configs);
        }).thenApply(updated -> {
            if (!updated.configs().equals(topic.record().configs())) {
                log.info("Topic {} configs are now {}", name, updated.configs());
            }
            return cache(updated);
        });
    }

    /**
     * Changes a broker resource's dynamic configs ("" for the cluster-wide default, else a node id):
     * {@code change} gets them as stored now and returns them as they must be; only the keys Korvet changes at
     * runtime are accepted (INVALID_REQUEST otherwise, as Kafka answers for static keys).
     */
    public CompletionStage<Void> alterBrokerConfigs(String resource, UnaryOperator<Map<String, String>> change, boolean validateOnly) {
        try {
            BrokerConfigs.checkBrokerId(resource);
            Map<String, String> proposed = TopicConfigs.normalize(change.apply(brokerConfigs.dynamic(resource)));
            BrokerConfigs.validateDynamic(resource, proposed);
            if (resource.equals(brokerConfigs.nodeResource())) {
                nodeConfigs.check(proposed);
            }
        } catch (RuntimeException e) {
            log.info("Refused a change of the dynamic broker configs of {}: {}", resource.isEmpty() ? "the cluster default"
                    : "broker " + resource, e.getMessage());
            return CompletableFuture.failedFuture(e);
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(null);
        }
        return store.updateBrokerConfigs(resource, current -> {
            Map<String, String> configs = TopicConfigs.normalize(change.apply(current));
            BrokerConfigs.validateDynamic(resource, configs);
            return configs;
        }).thenAccept(stored -> {
            if (brokerConfigs.setDynamic(resource, stored)) {
                cache.rebuild(brokerConfigs);
            }
            if (resource.equals(brokerConfigs.nodeResource())) {
                // Applied even when nothing changed: a keystore set again to the same file is read again, as in Kafka.
                nodeConfigs.apply(stored);
            }
            log.info("Dynamic broker configs of {} are now {}", resource.isEmpty() ? "the cluster default" : "broker " + resource,
                    BrokerConfigs.redacted(stored));
        });
    }

    private Topic cache(TopicRecord record) {
        return cache.put(record, brokerConfigs);
    }

    private void uncache(TopicRecord record) {
        cache.remove(record);
    }

    /**
     * Looks the named topics this broker does not know up in the registry, so that a topic just created on another
     * broker is found before the next refresh; completes at once when every name is known.
     */
    public CompletionStage<Void> resolve(Collection<String> names) {
        return sync.resolve(names);
    }

    /**
     * Reloads the registry and the dynamic broker configs, which another broker may have changed: topics created,
     * reconfigured or given partitions there appear here; topics deleted there go, their logs dropped here.
     */
    public CompletionStage<Void> refresh() {
        return sync.refresh();
    }
}
