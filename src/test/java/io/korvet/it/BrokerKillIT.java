package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.redis.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker killed with SIGKILL in the middle of an idempotent produce ({@code acks=all}, the Java client's
 * defaults) and started again on the same address: the producer that was sending keeps going with the same
 * instance, and in the end every acknowledged record is in the log once, in the order it was sent, at the
 * offset its acknowledgement reported, offsets dense.
 *
 * <p>The broker runs as its own process ({@code java -jar target/korvet.jar}) so that the kill is real: no
 * shutdown hook runs and the requests in flight are never answered, so the producer cannot know whether
 * they were written. The test's redis-server stays up; what the broker held in memory (next offsets,
 * idempotent-producer state) must come back from the streams, and the retried batches that had landed must
 * be recognised as duplicates rather than written twice.
 */
class BrokerKillIT {

    private static final String TOPIC = "killed";
    private static final int PARTITIONS = 3;
    private static final int TOTAL = 200_000;
    private static final int KILL_AFTER_ACKS = 60_000;
    /** Unacknowledged records at most: keeps records in flight at the kill and sends going on after it. */
    private static final int WINDOW = 20_000;

    @TempDir
    static Path dir;

    static RedisServerProcess redis;
    static BrokerProcess broker;
    static String bootstrap;
    static final String namespace = "kill";

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServerProcess.start(dir.resolve("redis"));
        int port = RedisServerProcess.freePort();
        bootstrap = "127.0.0.1:" + port;
        broker = new BrokerProcess(dir, Map.of(
                "listeners", "PLAINTEXT://" + bootstrap,
                "korvet.http.listener", "http://127.0.0.1:0",
                "korvet.redis.uri", redis.uri(),
                "korvet.namespace", namespace));
        broker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void aBrokerKilledMidProduceLosesAndDuplicatesNothingAndTheProducerCarriesOn() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties props = Clients.producer(bootstrap, StringSerializer.class);
        try (SequencedProducer sender = new SequencedProducer(new KafkaProducer<>(props), TOPIC, TOTAL, WINDOW).start()) {
            assertThat(sender.awaitAcked(KILL_AFTER_ACKS, Duration.ofSeconds(120))).as("acknowledged before the kill").isTrue();

            int ackedAtKill = sender.acked();
            int submittedAtKill = sender.submitted();
            long killedAt = System.nanoTime();
            broker.kill();
            Thread.sleep(1_500);
            long restartAt = System.nanoTime();
            broker.start();
            long upAt = System.nanoTime();
            int submittedAtRestart = sender.submitted();
            int ackedAtRestart = sender.acked();

            sender.awaitDone(Duration.ofSeconds(180));
            System.out.printf("BrokerKillIT: SIGKILL after %d of %d records acknowledged (%d sent, %d unacknowledged);"
                            + " down %d ms, new broker up %d ms after its start; %d sent after the restart by the same producer;"
                            + " %d acknowledged in all, %d failed, %.0f producer retries%n",
                    ackedAtKill, TOTAL, submittedAtKill, submittedAtKill - ackedAtKill,
                    TimeUnit.NANOSECONDS.toMillis(upAt - killedAt), TimeUnit.NANOSECONDS.toMillis(upAt - restartAt),
                    TOTAL - submittedAtRestart, sender.acked(), sender.failed(), sender.metric("record-retry-total"));

            assertThat(ackedAtKill).as("the kill came in the middle of the produce").isLessThan(TOTAL);
            assertThat(sender.failures()).as("sends that failed").isEmpty();
            assertThat(sender.acked()).isEqualTo(TOTAL);
            assertThat(sender.acked()).as("acknowledgements after the restart").isGreaterThan(ackedAtRestart);
            assertThat(TOTAL - submittedAtRestart).as("records sent after the restart by the same producer").isPositive();

            assertReadBackOnceInOrderAtTheirOffsets(sender);
        }
        assertThat(streamLengths()).as("records in the partition streams, read from Redis").isEqualTo(TOTAL);
    }

    private static void assertReadBackOnceInOrderAtTheirOffsets(SequencedProducer sender) {
        Properties c = Clients.readingFromTheStart(bootstrap, StringDeserializer.class);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            AcknowledgedRecordsAudit.Figures figures = AcknowledgedRecordsAudit.check(consumer, TOPIC, PARTITIONS, sender);
            System.out.printf("BrokerKillIT: read back %d records, %d of them acknowledged%n", figures.recordsRead(), figures.acknowledgedFound());
            assertThat(figures.recordsRead()).isEqualTo(TOTAL);
            assertThat(figures.acknowledgedFound()).isEqualTo(TOTAL);
        }
    }

    private static long streamLengths() {
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            long sum = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                sum += RedisProbe.records(connection.sync(), namespace + ":" + TOPIC + ":" + p);
            }
            return sum;
        } finally {
            client.shutdown();
        }
    }
}
