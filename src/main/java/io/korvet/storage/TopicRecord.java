package io.korvet.storage;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A topic as registered: name, id, partition count and the configs set on it (defaults not included).
 * A topic being deleted stays registered, marked {@code deleting}, until its partition streams are gone,
 * so that a crash in the middle of a deletion is finished later instead of leaving streams behind.
 */
public record TopicRecord(String name, Uuid id, int partitions, Map<String, String> configs, boolean deleting) {
    public TopicRecord {
        configs = Map.copyOf(configs);
    }

    public TopicRecord(String name, Uuid id, int partitions, Map<String, String> configs) {
        this(name, id, partitions, configs, false);
    }

    public TopicRecord withPartitions(int count) {
        return new TopicRecord(name, id, count, configs, deleting);
    }

    public TopicRecord withConfigs(Map<String, String> newConfigs) {
        return new TopicRecord(name, id, partitions, newConfigs, deleting);
    }

    public TopicRecord markedDeleting() {
        return new TopicRecord(name, id, partitions, configs, true);
    }
}
