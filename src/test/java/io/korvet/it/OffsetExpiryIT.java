package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Committed offsets expire as in Kafka (offsets.retention.minutes, 7 days here): the age of offsets is made in
 * Redis (an old commit timestamp, an old time of becoming empty) rather than waited for, and the broker's check,
 * every 500 ms here, removes them, with the groups left empty and without offsets; fresh ones stay.
 */
class OffsetExpiryIT {

    private static final long EIGHT_DAYS_MS = 8L * 24 * 3600 * 1000;
    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("offsets.retention.check.interval.ms", "500"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    }

    private static List<String> groups(Admin admin) throws Exception {
        Collection<ConsumerGroupListing> all = admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS);
        return all.stream().map(ConsumerGroupListing::groupId).toList();
    }

    /** A consumer without group membership (assign) committing offset 1 of every partition. */
    private static void commitStandalone(String group, String topic) {
        try (KafkaConsumer<String, String> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.commitSync(Map.of(tp, new OffsetAndMetadata(1)));
        }
    }

    /** A group member (subscribe) that commits and leaves: the group is Empty, with a protocol type. */
    private static void commitAsMember(String group, String topic) {
        try (KafkaConsumer<String, String> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.assignment().isEmpty() && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100));
            }
            assertThat(c.assignment()).isNotEmpty();
            c.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(1)));
        }
    }

    @Test
    void oldOffsetsAndTheGroupsLeftWithoutAnyExpireWhileFreshOnesStay() throws Exception {
        String topic = "expiry";
        cluster.createTopic(topic, 1);
        cluster.producer(Map.of()).close();
        commitStandalone("standalone-old", topic);
        commitStandalone("standalone-fresh", topic);
        commitAsMember("classic-old", topic);
        commitAsMember("classic-fresh", topic);

        // Age them in Redis while the broker is down: an old commit timestamp for one standalone group, an old time of
        // becoming empty for one classic group (the broker finds it there after its restart).
        cluster.stopBroker();
        long old = System.currentTimeMillis() - EIGHT_DAYS_MS;
        RedisClient client = RedisClient.create(cluster.redis().uri());
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            String key = cluster.namespace() + ":group:standalone-old:offsets";
            String value = redis.sync().hget(key, topic + ":0");
            String[] parts = value.split(",", 4);
            redis.sync().hset(key, topic + ":0", parts[0] + "," + parts[1] + "," + old + "," + parts[3]);
            assertThat(redis.sync().hget(cluster.namespace() + ":groups:emptysince", "classic-old"))
                    .as("recorded when classic-old became empty").isNotNull();
            redis.sync().hset(cluster.namespace() + ":groups:emptysince", "classic-old", Long.toString(old));
        } finally {
            client.shutdown();
        }
        try (BrokerLogCapture logs = BrokerLogCapture.attach()) {
            cluster.startBroker();
            Admin admin = cluster.admin();
            try {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(committed(admin, "standalone-old")).isEmpty();
                    assertThat(committed(admin, "classic-old")).isEmpty();
                    assertThat(groups(admin)).doesNotContain("standalone-old", "classic-old");
                });
                // A few more checks later, the fresh ones are all still there.
                Thread.sleep(1_500);
                assertThat(groups(admin)).contains("standalone-fresh", "classic-fresh");
                assertThat(committed(admin, "standalone-fresh")).containsEntry(new TopicPartition(topic, 0), new OffsetAndMetadata(1));
                assertThat(committed(admin, "classic-fresh")).containsEntry(new TopicPartition(topic, 0), new OffsetAndMetadata(1));
                assertThat(logs.messages("Expired the committed offsets of group standalone-old")).isNotEmpty();
                assertThat(logs.messages("Deleted group classic-old")).isNotEmpty();
            } finally {
                admin.close();
            }
        }
    }
}
