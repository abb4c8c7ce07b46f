package io.korvet.it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/** Reads the partition streams straight from Redis, to check what the broker wrote. */
public final class RedisProbe {

    private RedisProbe() {
    }

    /** XLEN of the stream holding a partition's log: {@code <namespace>:<topic>:<partition>}. */
    public static long streamLength(KorvetCluster cluster, String topic, int partition) {
        RedisClient client = RedisClient.create(cluster.redis().uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().xlen(cluster.namespace() + ":" + topic + ":" + partition);
        } finally {
            client.shutdown();
        }
    }
}
