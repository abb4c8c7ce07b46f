package io.korvet.topic;

import io.korvet.config.KorvetConfig;
import io.korvet.storage.TopicRecord;
import io.korvet.storage.TopicStore;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Topics: the registry in Redis, cached here, and the rules Kafka applies when one is created. */
public final class TopicManager {

    private static final Logger log = LoggerFactory.getLogger(TopicManager.class);

    private final TopicStore store;
    private final KorvetConfig config;
    private final Map<String, Topic> byName = new ConcurrentHashMap<>();
    private final Map<Uuid, Topic> byId = new ConcurrentHashMap<>();

    public TopicManager(TopicStore store, KorvetConfig config) {
        this.store = store;
        this.config = config;
    }

    public CompletionStage<Void> load() {
        return store.loadTopics().thenAccept(records -> records.forEach(this::cache));
    }

    public Topic get(String name) {
        return name == null ? null : byName.get(name);
    }

    public Topic get(Uuid id) {
        return id == null ? null : byId.get(id);
    }

    public Collection<Topic> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /**
     * Creates a topic as Kafka's CreateTopics does.
     *
     * @param partitions -1 for {@code num.partitions}
     * @param replicationFactor -1 or 1; Redis, not Korvet, keeps copies
     */
    public CompletionStage<Topic> create(String name, int partitions, short replicationFactor,
                                                         Map<String, String> configs, boolean validateOnly) {
        try {
            org.apache.kafka.common.internals.Topic.validate(name);
            if (byName.containsKey(name)) {
                throw new TopicExistsException("Topic '" + name + "' already exists.");
            }
            if (org.apache.kafka.common.internals.Topic.hasCollisionChars(name)) {
                for (String existing : byName.keySet()) {
                    if (org.apache.kafka.common.internals.Topic.hasCollision(name, existing)) {
                        throw new InvalidTopicException("Topic '" + name + "' collides with existing topic: " + existing);
                    }
                }
            }
            int count = partitions == -1 ? config.numPartitions() : partitions;
            if (count <= 0) {
                throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
            }
            if (replicationFactor == 0 || replicationFactor < -1) {
                throw new InvalidReplicationFactorException("Replication factor must be larger than 0.");
            }
            if (replicationFactor > 1) {
                throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor
                        + " larger than available brokers: 1. Korvet keeps one copy of each partition in Redis;"
                        + " redundancy is Redis's job (replicas, persistence).");
            }
            TopicConfigs.validate(configs);
            TopicRecord record = new TopicRecord(name, Uuid.randomUuid(), count, configs);
            if (validateOnly) {
                return CompletableFuture.completedFuture(Topic.of(record, config));
            }
            return store.createTopic(record).thenApply(created -> {
                if (!created) {
                    throw new TopicExistsException("Topic '" + name + "' already exists.");
                }
                log.info("Created topic {} with {} partitions (id {}){}", name, count, record.id(),
                        configs.isEmpty() ? "" : " and configs " + configs);
                return cache(record);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Topic cache(TopicRecord record) {
        Topic topic = Topic.of(record, config);
        byName.put(record.name(), topic);
        byId.put(record.id(), topic);
        return topic;
    }
}
