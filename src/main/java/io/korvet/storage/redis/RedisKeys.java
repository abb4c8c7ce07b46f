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

    /**
     * The partition's leader: {@code "<leader epoch> <node id>"}, set by the broker that claims the partition (see
     * load_state.lua) and checked by every append's fence, so that a broker which lost the partition can no longer
     * write to it. {@code {<stream>}:leader}, in the stream's slot.
     */
    public byte[] partitionLeader(TopicPartition tp) {
        return companion(tp, "leader");
    }

    /**
     * On a Redis Cluster, the counter an {@code acks=all} wait bumps on the partition's master before its WAIT (see
     * {@link #replicationMarker()}). {@code {<stream>}:replicated}, in the stream's slot.
     */
    public byte[] partitionReplicated(TopicPartition tp) {
        return companion(tp, "replicated");
    }

    /** Hash: each leader epoch of the partition to the offset it started at. {@code {<stream>}:epochs}. */
    public byte[] partitionEpochs(TopicPartition tp) {
        return companion(tp, "epochs");
    }

    /**
     * Hash: the log cleaner's checkpoint of a compacted partition (where its active segment starts and since when, how
     * far it is cleaned, the records kept, when each pass ran), written by its leader only. {@code {<stream>}:cleaner}.
     */
    public byte[] partitionCleaner(TopicPartition tp) {
        return companion(tp, "cleaner");
    }

    /**
     * The stream a compaction builds, entry by entry, to take the partition stream's place (see compact_copy.lua).
     * {@code {<stream>}:compacting}, in the stream's slot.
     */
    public byte[] partitionCompacting(TopicPartition tp) {
        return companion(tp, "compacting");
    }

    /** Where a compaction moves the old stream for the moment of its swap (see compact_swap.lua). */
    public byte[] partitionCompacted(TopicPartition tp) {
        return companion(tp, "compacted");
    }

    /**
     * Hash: producer id to the first offset of its ongoing transaction in the partition (see txn_step in common.lua).
     * {@code {<stream>}:txns}, in the stream's slot.
     */
    public byte[] partitionTxns(TopicPartition tp) {
        return companion(tp, "txns");
    }

    /**
     * Sorted set of the partition's aborted transactions, {@code "<pid> <first offset> <marker offset>"} scored by the
     * marker's offset. {@code {<stream>}:aborted}, in the stream's slot.
     */
    public byte[] partitionAborted(TopicPartition tp) {
        return companion(tp, "aborted");
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

    /**
     * Hash: node id to {@code "<expires at ms> <incarnation> <host> <port> <rack>"}, each live broker's
     * registration, renewed by its heartbeat (see brokers.lua). Two parts, never a stream key's shape.
     */
    public byte[] brokers() {
        return bytes(namespace + ":brokers");
    }

    /** The ACLs, one hash: an encoded binding -> "1" (see {@link RedisAclStore}). */
    public byte[] acls() {
        return bytes(namespace + ":acls");
    }

    /** The SCRAM credentials, one hash: {@code <mechanism>:<user>} -> iterations, salt, StoredKey, ServerKey. */
    public byte[] scramCredentials() {
        return bytes(namespace + ":scram");
    }

    /**
     * Hash: {@code <topic>:<partition>} to {@code "<leader epoch> <node id>"}, what each partition's leader published
     * after claiming it, so that every broker reports current epochs. A copy of the partitions' leader keys, for
     * Metadata only: the append fence reads the leader key itself.
     */
    public byte[] leaders() {
        return bytes(namespace + ":leaders");
    }

    /** Counter bumped by every change of the topic registry or of the leaders, which brokers poll to refresh. */
    public byte[] registryVersion() {
        return bytes(namespace + ":registry-version");
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

    /** Hash: the cluster's finalized feature levels (UpdateFeatures), field {@code finalized}: {@code name=level} lines. Two parts. */
    public byte[] features() {
        return bytes(namespace + ":features");
    }

    /**
     * Hash: the client quotas (AlterClientQuotas), field = the entity as {@code type=name} lines (an empty name for a
     * default), value = its quotas as {@code key=value} lines. Two parts.
     */
    public byte[] quotas() {
        return bytes(namespace + ":quotas");
    }

    /** Hash: transactional id to the coordinator's state of it (see {@link RedisTransactionStore}). Two parts. */
    public byte[] transactions() {
        return bytes(namespace + ":transactions");
    }

    /**
     * Hash: {@code <producer id>:<topic>:<partition>} to an offset a transaction commits for the group, held until the
     * transaction ends. The key ends in {@code :txn-offsets}, never a stream key's shape.
     */
    public byte[] groupTxnOffsets(String groupId) {
        return bytes(namespace + ":group:" + groupId + ":txn-offsets");
    }

    /**
     * The pub/sub channel on which broker {@code nodeId} takes requests to write transaction markers to partitions it
     * leads (see io.korvet.txn.LeaderMarkers). Channels are not keys: they can never collide with a stream.
     */
    public String markerRequests(int nodeId) {
        return namespace + ":txn-markers:" + nodeId + ":requests";
    }

    /** The pub/sub channel on which broker {@code nodeId} hears the answers to its marker requests. */
    public String markerReplies(int nodeId) {
        return namespace + ":txn-markers:" + nodeId + ":replies";
    }

    /** Hash: consumer group id to its protocol type. */
    public byte[] groups() {
        return groups;
    }

    /** Set of the ids of the groups that have configs ({@link #groupConfigs}), for ListConfigResources. */
    public byte[] groupsConfigured() {
        return bytes(namespace + ":groups:configured");
    }

    /** Hash of group id to when the group last became empty (ms), for offset expiry. */
    public byte[] groupsEmptySince() {
        return bytes(namespace + ":groups:emptysince");
    }

    /**
     * Hash: {@code <topic>:<partition>} to the committed offset. The key ends in {@code :offsets}, so it
     * never has a stream key's shape, whatever the group id holds.
     */
    public byte[] groupOffsets(String groupId) {
        return bytes(namespace + ":group:" + groupId + ":offsets");
    }

    /**
     * Hash: one share group's state of one partition (KIP-932), field {@code spso} and one field per in-flight record
     * (see share_state.lua). {@code {<stream>}:share:<group>}, in the stream's slot.
     */
    public byte[] sharePartition(TopicPartition tp, String groupId) {
        return companion(tp, "share:" + groupId);
    }

    /** Set: the {@code <topic>:<partition>} a share group has state for. Ends in {@code :share-partitions}, never a stream key's shape. */
    public byte[] sharePartitions(String groupId) {
        return bytes(namespace + ":group:" + groupId + ":share-partitions");
    }

    /** Hash: a group's configs (IncrementalAlterConfigs on a GROUP resource). Ends in {@code :configs}. */
    public byte[] groupConfigs(String groupId) {
        return bytes(namespace + ":group:" + groupId + ":configs");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
