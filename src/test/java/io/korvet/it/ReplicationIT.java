package io.korvet.it;

import static io.korvet.it.RawRequests.partition;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.korvet.storage.redis.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * acks=all with Redis replicas: a topic whose min.insync.replicas is 2 needs one replica. Without one the
 * produce is refused (NOT_ENOUGH_REPLICAS, nothing written); with one, an acknowledged record is already on
 * the replica; with the replica stalled (SIGSTOP) the append is answered NOT_ENOUGH_REPLICAS_AFTER_APPEND
 * once the request's timeout runs out. acks=1, and topics left at min.insync.replicas=1, never wait.
 */
class ReplicationIT {

    static KorvetCluster cluster;
    static Admin admin;
    static Process replica;
    static int replicaPort;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start();
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() throws Exception {
        stopReplica();
        if (admin != null) {
            admin.close();
        }
        cluster.close();
    }

    @Test
    void acksAllWaitsForTheReplicasMinInsyncReplicasNeeds() throws Exception {
        admin.createTopics(List.of(
                new NewTopic("replicated", 1, (short) 1).configs(Map.of("min.insync.replicas", "2")),
                new NewTopic("unreplicated", 1, (short) 1))).all().get(10, TimeUnit.SECONDS);

        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            // No replica: acks=all is refused before anything is written; acks=1 and min.insync.replicas=1 go through.
            assertThat(produce(c, (short) -1, "replicated", "refused", 10_000)).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
            assertThat(RedisProbe.streamLength(cluster, "replicated", 0)).isZero();
            assertThat(produce(c, (short) 1, "replicated", "leader-only", 10_000)).isEqualTo(Errors.NONE);
            assertThat(produce(c, (short) -1, "unreplicated", "no-replicas-needed", 10_000)).isEqualTo(Errors.NONE);

            startReplica();
            // The broker learns of the replica within about a second.
            Errors afterReplica = awaitValue(() -> produceUnchecked(c, (short) -1, "replicated", "with-replica", 10_000),
                    Errors.NONE);
            assertThat(afterReplica).isEqualTo(Errors.NONE);
        }

        // A default producer (acks=all, idempotent): when each send is acknowledged the replica already holds it.
        RedisClient replicaClient = RedisClient.create("redis://127.0.0.1:" + replicaPort);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of());
             StatefulRedisConnection<String, String> onReplica = replicaClient.connect()) {
            String stream = cluster.namespace() + ":replicated:0";
            for (int i = 0; i < 200; i++) {
                long offset = producer.send(new ProducerRecord<>("replicated", 0, null, "r" + i)).get(30, TimeUnit.SECONDS).offset();
                assertThat(onReplica.sync().xlen(stream)).as("replica holds offset %d when it is acknowledged", offset)
                        .isGreaterThan(offset);
            }
        } finally {
            replicaClient.shutdown();
        }

        // The replica stalls: the append is written but cannot be confirmed within the request's timeout.
        long stalledPid = replica.pid();
        ProcessSignals.send("STOP", stalledPid);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.setReadTimeout(15_000);
            long before = RedisProbe.streamLength(cluster, "replicated", 0);
            assertThat(produce(c, (short) -1, "replicated", "unconfirmed", 1_000)).isEqualTo(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
            assertThat(RedisProbe.streamLength(cluster, "replicated", 0)).isEqualTo(before + 1);
            assertThat(produce(c, (short) 1, "replicated", "acks-1-does-not-wait", 1_000)).isEqualTo(Errors.NONE);
            assertThat(produce(c, (short) -1, "unreplicated", "min-insync-1-does-not-wait", 1_000)).isEqualTo(Errors.NONE);
        } finally {
            ProcessSignals.send("CONT", stalledPid);
        }
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            assertThat(produce(c, (short) -1, "replicated", "after-recovery", 10_000)).isEqualTo(Errors.NONE);
        }
    }

    private static Errors produce(RawKafkaConnection c, short acks, String topic, String value, int timeoutMs) throws Exception {
        ProduceRequest request = RawRequests.produce(acks, topic, Map.of(0, RawRequests.records(value)));
        request.data().setTimeoutMs(timeoutMs);
        ProduceResponse response = c.call(request);
        return Errors.forCode(partition(response, 0).errorCode());
    }

    private static Errors produceUnchecked(RawKafkaConnection c, short acks, String topic, String value, int timeoutMs) {
        try {
            return produce(c, acks, topic, value, timeoutMs);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T awaitValue(Supplier<T> probe, T expected) throws InterruptedException {
        T last = null;
        for (int i = 0; i < 100; i++) {
            last = probe.get();
            if (expected.equals(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        return last;
    }

    private static void startReplica() throws Exception {
        replicaPort = RedisServerProcess.freePort();
        Path dir = Files.createTempDirectory("korvet-replica-");
        replica = new ProcessBuilder(cluster.redis().executable().toString(),
                "--port", Integer.toString(replicaPort), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no",
                "--replicaof", "127.0.0.1", Integer.toString(cluster.redis().port()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("replica.log").toFile()).start();
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + replicaPort);
        try {
            for (int i = 0; i < 200; i++) {
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    if (c.sync().info("replication").contains("master_link_status:up")) {
                        return;
                    }
                } catch (RuntimeException notYet) {
                    // Not listening yet.
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("the replica did not sync with the master");
        } finally {
            client.shutdown();
        }
    }

    private static void stopReplica() throws Exception {
        if (replica != null) {
            ProcessSignals.send("CONT", replica.pid());
            replica.destroy();
            if (!replica.waitFor(10, TimeUnit.SECONDS)) {
                replica.destroyForcibly();
            }
            replica = null;
        }
    }
}
