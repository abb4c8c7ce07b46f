package io.korvet.handler.fetch;

import org.apache.kafka.common.Uuid;

/**
 * A partition as a Fetch names it: by topic id from v13 on ({@code topic} null), by topic name before
 * ({@code topicId} zero). A session uses one kind or the other, never both, so equality on all three fields is
 * Kafka's equality of a session's partitions.
 */
public record PartitionKey(Uuid topicId, String topic, int partition) {

    public static PartitionKey byId(Uuid topicId, int partition) {
        return new PartitionKey(topicId, null, partition);
    }

    public static PartitionKey byName(String topic, int partition) {
        return new PartitionKey(Uuid.ZERO_UUID, topic, partition);
    }

    /** Whether this key and another name the same topic (the response lists a topic's partitions together). */
    boolean sameTopic(PartitionKey other) {
        return other != null && topicId.equals(other.topicId) && java.util.Objects.equals(topic, other.topic);
    }

    @Override
    public String toString() {
        return (topic != null ? topic : topicId.toString()) + "-" + partition;
    }
}
