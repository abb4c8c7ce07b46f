package io.korvet.storage;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A topic as registered: name, id, partition count, the stream format its partitions were created with, and the
 * configs set on it (defaults not included). A topic being deleted stays registered, marked {@code deleting},
 * until its partition streams are gone, so that a crash in the middle of a deletion is finished later instead of
 * leaving streams behind. A topic registered before stream formats existed has none in its record: it is a
 * {@link StreamFormat#RECORD} topic.
 */
public record TopicRecord(String name, Uuid id, int partitions, Map<String, String> configs, boolean deleting, StreamFormat format) {
    public TopicRecord {
        configs = Map.copyOf(configs);
        format = format == null ? StreamFormat.RECORD : format;
    }

    public TopicRecord(String name, Uuid id, int partitions, Map<String, String> configs) {
        this(name, id, partitions, configs, false, StreamFormat.RECORD);
    }

    public TopicRecord(String name, Uuid id, int partitions, Map<String, String> configs, StreamFormat format) {
        this(name, id, partitions, configs, false, format);
    }

    public TopicRecord withPartitions(int count) {
        return new TopicRecord(name, id, count, configs, deleting, format);
    }

    public TopicRecord withConfigs(Map<String, String> newConfigs) {
        return new TopicRecord(name, id, partitions, newConfigs, deleting, format);
    }

    public TopicRecord markedDeleting() {
        return new TopicRecord(name, id, partitions, configs, true, format);
    }
}
