package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.korvet.storage.redis.RedisServerProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share groups on three brokers over a Redis Cluster: the group's coordinator and the partitions' leaders are
 * different brokers, each share partition's state sits in its stream's slot, and every record is processed once.
 */
class ShareGroupClusterIT {

    private static final String NAMESPACE = "sc";

    @TempDir
    static Path dir;

    static RedisClusterFixture redis;
    static BrokerFleet fleet;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisClusterFixture.start(dir.resolve("redis"), 3);
        fleet = BrokerFleet.start(dir.resolve("brokers"), NAMESPACE, 3, redis.uri());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (fleet != null) {
            fleet.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void membersOnSeveralBrokersProcessEveryRecordOnceWithStateInEachStreamsSlot() throws Exception {
        String topic = "queue";
        String group = "workers";
        admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get(30, TimeUnit.SECONDS);
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", fleet.bootstrap()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3000; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
        Map<String, Integer> processed = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            Thread t = new Thread(() -> {
                Map<String, Object> props = new HashMap<>();
                props.put("bootstrap.servers", fleet.bootstrap());
                props.put("group.id", group);
                try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(props, new StringDeserializer(),
                        new StringDeserializer())) {
                    c.subscribe(List.of(topic));
                    while (running.get()) {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                            processed.merge(r.key(), 1, Integer::sum);
                        }
                        c.commitSync();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> processed.size() == 3000);
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
        assertThat(processed.values()).allMatch(n -> n == 1);
        long starts = 0;
        for (int p = 0; p < 6; p++) {
            String stream = NAMESPACE + ":" + topic + ":" + p;
            String state = "{" + stream + "}:share:" + group;
            RedisServerProcess master = redis.masterOf(state);
            assertThat(master.port()).isEqualTo(redis.masterOf(stream).port());
            starts += Long.parseLong(redis.cli(master, "HGET", state, "spso").trim());
        }
        // Every record accepted: each share partition's start offset is at its end.
        assertThat(starts).isEqualTo(3000);
    }
}
