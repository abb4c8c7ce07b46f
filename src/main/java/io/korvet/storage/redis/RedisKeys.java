package io.korvet.storage.redis;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;

/**
 * Every Redis key Korvet uses, in one place.
 *
 * <p>Partition streams are {@code <ns>:<topic>:<partition>}: exactly three parts, the last all digits
 * (topic names never contain ':'). Registry keys never have that shape: they have two parts, or a last
 * part that is not all digits, so no topic name can make a stream key collide with one.
 */
public final class RedisKeys {

    private final String namespace;
    private final byte[] topics;
    private final byte[] producerIds;

    public RedisKeys(String namespace) {
        this.namespace = namespace;
        this.topics = bytes(namespace + ":topics");
        this.producerIds = bytes(namespace + ":producer-ids");
    }

    /** The stream holding one partition's log. */
    public byte[] partition(TopicPartition tp) {
        return bytes(namespace + ":" + tp.topic() + ":" + tp.partition());
    }

    /** Hash: topic name to its registry record. */
    public byte[] topics() {
        return topics;
    }

    /** Counter: the last producer id handed out. */
    public byte[] producerIds() {
        return producerIds;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
