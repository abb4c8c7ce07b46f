package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.korvet.storage.redis.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * Three brokers over a real Redis Cluster of three masters, each with a replica, that the test makes with
 * {@code redis-server --cluster-enabled yes} and {@code redis-cli --cluster create}: {@code korvet.redis.uri} lists
 * the seed nodes and nothing else changes. The partitions' streams spread over the masters; a master failover
 * ({@code CLUSTER FAILOVER} on its replica) and a slot migration while an idempotent producer sends reach clients as
 * retriable errors at most, and every acknowledged record is read back once, in order. Share group members spread
 * over the brokers process every record once, each share partition's state in its stream's slot.
 */
class RedisClusterIT {

    private static final String NAMESPACE = "rc";

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
    void brokersOverARedisClusterSpreadThePartitionsOverItsMastersAndLoseNothing() throws Exception {
        String topic = "spread";
        int partitions = 6;
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        KafkaTools.Result describe = KafkaTools.run(KafkaTools.TOPICS, "--bootstrap-server", fleet.bootstrap(1),
                "--describe", "--topic", topic);
        Set<String> leaders = new TreeSet<>();
        Matcher m = Pattern.compile("Leader: (\\d+)").matcher(describe.output());
        while (m.find()) {
            leaders.add(m.group(1));
        }
        assertThat(leaders).as(describe.output()).containsExactly("1", "2", "3");

        SequencedProducer sender = produce(topic, 20_000);
        audit(topic, partitions, sender);
        Set<Integer> masters = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            masters.add(redis.masterOf(NAMESPACE + ":" + topic + ":" + p).port());
        }
        System.out.printf("RedisClusterIT: %d partitions' streams on %d masters%n", partitions, masters.size());
        assertThat(masters).hasSizeGreaterThan(1);
    }

    @Test
    void acksAllWithTwoInSyncReplicasWaitsForEachPartitionsOwnMastersReplica() throws Exception {
        String topic = "replicated";
        int partitions = 3;
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(30, TimeUnit.SECONDS);
        SequencedProducer sender = produce(topic, 3_000);
        audit(topic, partitions, sender);
        // Each partition's WAIT ran on the master of its stream, bumping a counter in the stream's own slot.
        for (int p = 0; p < partitions; p++) {
            String marker = "{" + NAMESPACE + ":" + topic + ":" + p + "}:replicated";
            assertThat(Long.parseLong(redis.cli(redis.masterOf(marker), "GET", marker).trim())).as(marker).isPositive();
        }
    }

    @Test
    void aMasterFailoverWhileProducingLosesAndDuplicatesNothing() throws Exception {
        String topic = "failover";
        int partitions = 3;
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        RedisServerProcess master = redis.masterOf(NAMESPACE + ":" + topic + ":0");
        RedisServerProcess replica = redis.replicaOf(master);
        try (SequencedProducer sender = start(topic, 60_000)) {
            assertThat(sender.awaitAcked(15_000, Duration.ofSeconds(120))).isTrue();
            long at = System.nanoTime();
            redis.cli(replica, "CLUSTER", "FAILOVER");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!redis.cli(replica, "ROLE").startsWith("master") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(redis.cli(replica, "ROLE")).startsWith("master");
            System.out.printf("RedisClusterIT: replica %d took over from master %d in %d ms, %d records acknowledged by then%n",
                    replica.port(), master.port(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at), sender.acked());
            sender.awaitDone(Duration.ofSeconds(180));
            System.out.printf("RedisClusterIT: after the failover, %.0f producer retries, %d failed sends%n",
                    sender.metric("record-retry-total"), sender.failed());
            assertThat(sender.failures()).isEmpty();
            audit(topic, partitions, sender);
        }
    }

    @Test
    void aSlotMigrationWhileProducingLosesAndDuplicatesNothing() throws Exception {
        String topic = "migrated";
        int partitions = 3;
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        String stream = NAMESPACE + ":" + topic + ":1";
        try (SequencedProducer sender = start(topic, 60_000)) {
            assertThat(sender.awaitAcked(15_000, Duration.ofSeconds(120))).isTrue();
            RedisServerProcess from = redis.masterOf(stream);
            RedisServerProcess to = redis.otherMaster(from);
            long at = System.nanoTime();
            redis.migrateSlot(redis.slotOf(stream), from, to);
            System.out.printf("RedisClusterIT: slot of %s moved from %d to %d in %d ms while producing%n", stream, from.port(),
                    to.port(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at));
            assertThat(redis.masterOf(stream).port()).isEqualTo(to.port());
            sender.awaitDone(Duration.ofSeconds(180));
            System.out.printf("RedisClusterIT: after the migration, %.0f producer retries, %d failed sends%n",
                    sender.metric("record-retry-total"), sender.failed());
            assertThat(sender.failures()).isEmpty();
            audit(topic, partitions, sender);
        }
    }

    @Test
    void shareGroupMembersOnSeveralBrokersProcessEveryRecordOnceWithStateInEachStreamsSlot() throws Exception {
        String topic = "share-queue";
        String group = "workers";
        admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get(30, TimeUnit.SECONDS);
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        Map<String, Integer> processed = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> ackFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
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
                        c.commitSync().forEach((tp, error) -> error.ifPresent(e -> ackFailures.add(tp + ": " + e)));
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        try {
            // The records go out once both members hold their share of the partitions: a member whose partition moves
            // to the other while it processes the partition's records cannot acknowledge them (Kafka's share consumer
            // fails them with NOT_LEADER_OR_FOLLOWER), and they come back only when their locks expire.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                var d = admin.describeShareGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
                return d.members().size() == 2 && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty()
                        && m.memberEpoch() == d.groupEpoch());
            });
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", fleet.bootstrap()),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 3000; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
                }
                producer.flush();
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> processed.size() == 3000);
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
        assertThat(processed.values()).allMatch(n -> n == 1);
        for (int p = 0; p < 6; p++) {
            assertThat(redis.masterOf(shareState(topic, p, group)).port()).isEqualTo(redis.masterOf(NAMESPACE + ":" + topic + ":" + p).port());
        }
        // Every record accepted: each share partition's start offset reaches its end (bounded: the members' last
        // acknowledgements, sent as they close, may still be landing).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long started = spsoSum(topic, group);
        while (started != 3000 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            started = spsoSum(topic, group);
        }
        if (started != 3000) {
            StringBuilder states = new StringBuilder();
            for (int p = 0; p < 6; p++) {
                String state = shareState(topic, p, group);
                String all = redis.cli(redis.masterOf(state), "HGETALL", state).replace('\n', ' ');
                states.append('\n').append(state).append(": ").append(all, 0, Math.min(300, all.length()));
            }
            assertThat(started).as("the share partitions' start offsets; acknowledgements the members' commitSync reported failed: %s;"
                    + " the states:%s", ackFailures, states).isEqualTo(3000);
        }
    }

    /** The sum of the group's share-partition start offsets (SPSO) over the topic's six partitions, as Redis holds them. */
    private static long spsoSum(String topic, String group) throws Exception {
        long sum = 0;
        for (int p = 0; p < 6; p++) {
            String state = shareState(topic, p, group);
            sum += Long.parseLong(redis.cli(redis.masterOf(state), "HGET", state, "spso").trim());
        }
        return sum;
    }

    /** The hash of a share group's state of one partition, in the slot of the partition's stream. */
    private static String shareState(String topic, int partition, String group) {
        return "{" + NAMESPACE + ":" + topic + ":" + partition + "}:share:" + group;
    }

    private static SequencedProducer start(String topic, int total) {
        Properties p = Clients.producer(fleet.bootstrap(), StringSerializer.class);
        return new SequencedProducer(new KafkaProducer<>(p), topic, total, 5_000).start();
    }

    private static SequencedProducer produce(String topic, int total) throws Exception {
        try (SequencedProducer sender = start(topic, total)) {
            sender.awaitDone(Duration.ofSeconds(120));
            assertThat(sender.failures()).isEmpty();
            assertThat(sender.acked()).isEqualTo(total);
            return sender;
        }
    }

    private static void audit(String topic, int partitions, SequencedProducer sender) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Clients.readingFromTheStart(fleet.bootstrap(), StringDeserializer.class))) {
            AcknowledgedRecordsAudit.Figures f = AcknowledgedRecordsAudit.check(consumer, topic, partitions, sender);
            assertThat(f.acknowledgedFound()).isEqualTo(sender.total());
            assertThat(f.recordsRead()).isEqualTo(sender.total());
        }
    }
}
