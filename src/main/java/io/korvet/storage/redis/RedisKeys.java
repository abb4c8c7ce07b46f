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
    private final byte[] brokerConfigs;
    private final byte[] groups;

    public RedisKeys(String namespace) {
        this.namespace = namespace;
        this.topics = bytes(namespace + ":topics");
        this.producerIds = bytes(namespace + ":producer-ids");
        this.brokerConfigs = bytes(namespace + ":broker-configs");
        this.groups = bytes(namespace + ":groups");
    }

    /** The stream holding one partition's log. */
    public byte[] partition(TopicPartition tp) {
        return bytes(namespace + ":" + tp.topic() + ":" + tp.partition());
    }

    /**
     * The log start offset of a partition whose DeleteRecords ended inside a batch entry, where the stream's first
     * entry cannot say it. {@code {<stream>}:start}: the stream key as hash tag puts it in the stream's Redis
     * Cluster slot; four parts, never a stream key's shape.
     */
    public byte[] partitionStart(TopicPartition tp) {
        return companion(tp, "start");
    }

    /**
     * The next offset of a partition, kept by every append beside the stream, so that the append fence reads a
     * number instead of the stream's last entry (a whole batch). {@code {<stream>}:next}, in the stream's slot.
     */
    public byte[] partitionNext(TopicPartition tp) {
        return companion(tp, "next");
    }

    /**
     * Where a batch append moves the stream for the moment of its XADD (see append_fence.lua); it exists only
     * inside that transaction. {@code {<stream>}:appending}, in the stream's slot.
     */
    public byte[] partitionAppending(TopicPartition tp) {
        return companion(tp, "appending");
    }

    /** {@code {<stream>}:<what>}: the stream key as hash tag puts it in the stream's Redis Cluster slot. */
    private byte[] companion(TopicPartition tp, String what) {
        return bytes("{" + namespace + ":" + tp.topic() + ":" + tp.partition() + "}:" + what);
    }

    /**
     * Counter bumped before each replication wait: WAIT counts the replicas that hold the waiting connection's
     * own last write, so this write stands for every append acknowledged before it. Two parts, never a
     * stream key's shape.
     */
    public byte[] replicationMarker() {
        return bytes(namespace + ":replication-marker");
    }

    /** Hash: topic name to its registry record. */
    public byte[] topics() {
        return topics;
    }

    /** Counter: the last producer id handed out. */
    public byte[] producerIds() {
        return producerIds;
    }

    /**
     * Hash: dynamic broker configs (AlterConfigs on a broker resource), field {@code <default>} for the
     * cluster-wide default, a node id for one broker; value = {@code key=value} lines.
     */
    public byte[] brokerConfigs() {
        return brokerConfigs;
    }

    /** Hash: consumer group id to its protocol type. */
    public byte[] groups() {
        return groups;
    }

    /**
     * Hash: {@code <topic>:<partition>} to the committed offset. The key ends in {@code :offsets}, so it
     * never has a stream key's shape, whatever the group id holds.
     */
    public byte[] groupOffsets(String groupId) {
        return bytes(namespace + ":group:" + groupId + ":offsets");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
