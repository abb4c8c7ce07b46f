package io.korvet.storage.redis;

import io.korvet.storage.ReplicaWaiter;
import io.korvet.storage.StorageException;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What {@code acks=all} waits for beyond the write on a topic whose {@code min.insync.replicas} is above one: its
 * Redis's replicas ({@link NodeReplicas}). On a standalone Redis, one waiter with one marker key; on a Redis Cluster,
 * one per master, each partition waited for on the master of its stream's slot, bumping a marker key in that slot.
 */
public final class RedisReplicaWaiter implements ReplicaWaiter, AutoCloseable {

    /** The longest one WAIT blocks; a produce with a longer timeout is answered after this at the latest. */
    public static final long MAX_WAIT_MS = NodeReplicas.MAX_WAIT_MS;

    private final RedisConnector redis;
    private final RedisKeys keys;
    private final Duration timeout;
    /** Standalone: the one waiter. */
    private final NodeReplicas single;
    /** Redis Cluster: by master address. */
    private final Map<String, NodeReplicas> byMaster = new ConcurrentHashMap<>();

    /** @param redis the broker's connector, which tells a standalone Redis from a cluster and where slots are */
    public RedisReplicaWaiter(RedisConnector redis, String uri, Duration redisTimeout, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
        this.timeout = redisTimeout.plusMillis(MAX_WAIT_MS);
        this.single = redis.isCluster() ? null : new NodeReplicas(redis.pipelinedOnly(timeout));
    }

    private NodeReplicas of(TopicPartition tp) {
        if (single != null) {
            return single;
        }
        RedisURI master = redis.masterOf(keys.partition(tp));
        if (master == null) {
            return null;
        }
        return byMaster.computeIfAbsent(master.getHost() + ":" + master.getPort(),
                a -> new NodeReplicas(redis.toNode(master, timeout)));
    }

    @Override
    public CompletionStage<Integer> connectedReplicas(TopicPartition tp) {
        NodeReplicas node = of(tp);
        return node == null ? unavailable(tp) : node.connectedReplicas();
    }

    @Override
    public CompletionStage<Void> awaitReplicas(TopicPartition tp, int replicas, long timeoutMs) {
        NodeReplicas node = of(tp);
        if (node == null) {
            return unavailable(tp);
        }
        return node.awaitReplicas(single != null ? keys.replicationMarker() : keys.partitionReplicated(tp), replicas, timeoutMs);
    }

    private static <T> CompletionStage<T> unavailable(TopicPartition tp) {
        return CompletableFuture.failedFuture(new StorageException.Unavailable("no Redis Cluster master serves " + tp + " now", null));
    }

    @Override
    public void close() {
        if (single != null) {
            single.close();
        }
        byMaster.values().forEach(NodeReplicas::close);
    }
}
