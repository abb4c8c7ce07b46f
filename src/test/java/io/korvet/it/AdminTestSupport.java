package io.korvet.it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A broker for admin and retention tests, with an Admin client and a direct Redis connection to check
 * the keys the broker wrote or removed.
 */
final class AdminTestSupport implements AutoCloseable {

    final KorvetCluster cluster;
    final Admin admin;
    private final RedisClient redisClient;
    private final StatefulRedisConnection<String, String> redis;

    private AdminTestSupport(KorvetCluster cluster) {
        this.cluster = cluster;
        this.admin = cluster.admin();
        this.redisClient = RedisClient.create(cluster.redis().uri());
        this.redis = redisClient.connect();
    }

    static AdminTestSupport start(Map<String, String> settings) throws Exception {
        return new AdminTestSupport(KorvetCluster.start(settings));
    }

    RedisCommands<String, String> redis() {
        return redis.sync();
    }

    /** The stream key of a partition. */
    String streamKey(String topic, int partition) {
        return cluster.namespace() + ":" + topic + ":" + partition;
    }

    /** A registry key: {@code <namespace>:<name>}. */
    String registryKey(String name) {
        return cluster.namespace() + ":" + name;
    }

    /** Polls until {@code count} records came or 10 s passed. */
    static List<ConsumerRecord<String, String>> poll(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 10_000;
        while (records.size() < count && System.currentTimeMillis() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    /**
     * Reads {@code tp} from offset 0 until the consumer's position reaches {@code end} or 20 s passed (gaps left by
     * compaction included); the consumer is assigned to it here.
     */
    static <K, V> List<ConsumerRecord<K, V>> readFromStart(KafkaConsumer<K, V> consumer,
                                                          org.apache.kafka.common.TopicPartition tp, long end) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, 0);
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 20_000;
        while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    @Override
    public void close() {
        admin.close();
        redis.close();
        redisClient.shutdown();
        cluster.close();
    }
}
