package io.korvet.storage;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/** A topic as registered: name, id, partition count and the configs set on it (defaults not included). */
public record TopicRecord(String name, Uuid id, int partitions, Map<String, String> configs) {
    public TopicRecord {
        configs = Map.copyOf(configs);
    }
}
