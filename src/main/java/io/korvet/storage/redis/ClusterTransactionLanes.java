package io.korvet.storage.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * On a Redis Cluster a transaction must run on the master of its keys' slot: one {@link TransactionLane} per master,
 * connected when first needed, picked by the slot of the group's key from the cluster client's view of the slots.
 * When a group fails (a slot moved: MOVED and EXECABORT, a master gone), that view is refreshed for the next one.
 */
final class ClusterTransactionLanes {

    private final RedisClusterClient cluster;
    /** The master of a key's slot as the cluster client sees it now, null if none ({@link RedisConnector#masterOf}). */
    private final Function<byte[], RedisURI> masterOf;
    private final RedisClient nodes;
    private final Map<String, TransactionLane> lanes = new ConcurrentHashMap<>();

    ClusterTransactionLanes(RedisClusterClient cluster, Function<byte[], RedisURI> masterOf, ClientResources resources,
                            ClientOptions options) {
        this.cluster = cluster;
        this.masterOf = masterOf;
        this.nodes = RedisClient.create(resources);
        nodes.setOptions(options);
    }

    <T> CompletionStage<T> dispatch(byte[] key, List<? extends RedisCommand<byte[], byte[], ?>> leading,
                                    RedisCommand<byte[], byte[], T> last) {
        RedisURI master = masterOf.apply(key);
        if (master == null) {
            return CompletableFuture.failedFuture(new io.lettuce.core.RedisConnectionException(
                    "no Redis Cluster master serves slot " + SlotHash.getSlot(key) + " (not connected)"));
        }
        String address = master.getHost() + ":" + master.getPort();
        TransactionLane lane = lanes.compute(address, (a, existing) -> existing == null || existing.isFailed() ? connect(master) : existing);
        CompletionStage<T> result = lane.dispatch(leading, last);
        result.whenComplete((v, error) -> {
            if (error != null) {
                cluster.refreshPartitionsAsync();
            }
        });
        return result;
    }

    /** A lane to {@code master}, connecting in the background (appends may come from Lettuce's own threads). */
    private TransactionLane connect(RedisURI uri) {
        TransactionLane lane = new TransactionLane();
        nodes.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture()
                .orTimeout(uri.getTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((connection, error) -> {
                    if (error != null) {
                        lane.failed(new io.lettuce.core.RedisConnectionException("cannot connect to Redis " + uri.getHost() + ":"
                                + uri.getPort() + " for appends", error));
                    } else {
                        lane.connected(connection);
                    }
                });
        return lane;
    }

    void close() {
        lanes.values().forEach(TransactionLane::close);
        nodes.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
