package io.korvet.it;

import static io.korvet.it.KafkaTools.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.it.KafkaTools.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client quotas set with Kafka's kafka-configs.sh: a producer and a consumer past their byte rates are throttled (the
 * clients' own throttle-time metrics say so) and lose nothing, clients without a quota are not, and Kafka's checks
 * refuse what Kafka refuses. Windows of 2 x 1 s keep the throttles short.
 */
class QuotaIT {

    private static final int RECORDS = 300;
    private static final byte[] VALUE = new byte[1000];

    static KorvetCluster cluster;
    static String bootstrap;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("quota.window.num", "2", "quota.window.size.seconds", "1"));
        bootstrap = cluster.bootstrap();
        KafkaTools.classpath();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Result configs(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrap));
        all.addAll(List.of(args));
        return run(KafkaTools.CONFIGS, all.toArray(new String[0]));
    }

    private static Result ok(Result r) {
        assertThat(r.exitCode()).as("exit code; output:\n%s", r.output()).isZero();
        return r;
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String name) {
        return metrics.entrySet().stream().filter(e -> e.getKey().name().equals(name)).mapToDouble(e -> {
            Object v = e.getValue().metricValue();
            return v instanceof Double d && !d.isNaN() ? d : 0.0;
        }).max().orElseThrow();
    }

    /** Produces the records with the client id and returns the producer's largest throttle time (ms). */
    private static double produce(String topic, String clientId) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = cluster.bytesProducer(Map.of("client.id", clientId, "acks", "1"))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, null, VALUE)));
            }
            producer.flush();
            for (int i = 0; i < RECORDS; i++) {
                assertThat(sent.get(i).get().offset()).isEqualTo(i);
            }
            return metric(producer.metrics(), "produce-throttle-time-max");
        }
    }

    /** Reads the topic whole with the client id and returns the consumer's largest throttle time (ms). */
    private static double consume(String topic, String clientId) {
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.bytesConsumer(Map.of("client.id", clientId))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<Long> offsets = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (offsets.size() < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    offsets.add(r.offset());
                }
            }
            assertThat(offsets).hasSize(RECORDS);
            for (int i = 0; i < RECORDS; i++) {
                assertThat(offsets.get(i)).isEqualTo(i);
            }
            return metric(consumer.metrics(), "fetch-throttle-time-max");
        }
    }

    @Test
    void aProducerAndAConsumerPastTheirByteRatesAreThrottledAndLoseNothing() throws Exception {
        cluster.createTopic("quota-orders", 1);
        ok(configs("--alter", "--entity-type", "clients", "--entity-name", "slow-app",
                "--add-config", "producer_byte_rate=100000,consumer_byte_rate=100000"));
        assertThat(ok(configs("--describe", "--entity-type", "clients", "--entity-name", "slow-app")).output())
                .contains("Quota configs for client-id 'slow-app' are")
                .contains("producer_byte_rate=100000.0").contains("consumer_byte_rate=100000.0");

        assertThat(produce("quota-orders", "slow-app")).as("the throttled producer's throttle time").isPositive();
        assertThat(consume("quota-orders", "slow-app")).as("the throttled consumer's throttle time").isPositive();
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + cluster.broker().httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("korvet_quota_throttles_total{quota=\"producer_byte_rate\"}")
                .contains("korvet_quota_throttles_total{quota=\"consumer_byte_rate\"}")
                .contains("korvet_quota_throttle_time_seconds_total{quota=\"producer_byte_rate\"}");
        assertThat(produce("quota-free", "free-app")).as("a producer without a quota").isZero();
        assertThat(consume("quota-free", "free-app")).as("a consumer without a quota").isZero();

        // Removed, the quota no longer applies and is no longer listed.
        ok(configs("--alter", "--entity-type", "clients", "--entity-name", "slow-app",
                "--delete-config", "producer_byte_rate,consumer_byte_rate"));
        assertThat(ok(configs("--describe", "--entity-type", "clients")).output()).doesNotContain("slow-app");
        assertThat(produce("quota-after", "slow-app")).as("the producer once its quota is removed").isZero();
    }

    @Test
    void defaultsAndUserQuotasAreDescribedAsKafkaDescribesThem() throws Exception {
        ok(configs("--alter", "--entity-type", "users", "--entity-default", "--add-config", "consumer_byte_rate=5000000"));
        ok(configs("--alter", "--entity-type", "users", "--entity-name", "alice", "--entity-type", "clients",
                "--entity-default", "--add-config", "producer_byte_rate=2000000"));
        try {
            String users = ok(configs("--describe", "--entity-type", "users")).output();
            assertThat(users).contains("Quota configs for the default user-principal are consumer_byte_rate=5000000.0");
            String alice = ok(configs("--describe", "--entity-type", "users", "--entity-name", "alice",
                    "--entity-type", "clients")).output();
            assertThat(alice).contains("Quota configs for user-principal 'alice', the default client-id are producer_byte_rate=2000000.0");
        } finally {
            ok(configs("--alter", "--entity-type", "users", "--entity-default", "--delete-config", "consumer_byte_rate"));
            ok(configs("--alter", "--entity-type", "users", "--entity-name", "alice", "--entity-type", "clients",
                    "--entity-default", "--delete-config", "producer_byte_rate"));
        }
        assertThat(ok(configs("--describe", "--entity-type", "users")).output()).doesNotContain("Quota configs");
    }

    @Test
    void quotasKafkaRefusesOrKorvetDoesNotEnforceAreRefused() throws Exception {
        Result fractional = configs("--alter", "--entity-type", "clients", "--entity-name", "x", "--add-config", "producer_byte_rate=1.5");
        assertThat(fractional.exitCode()).isNotZero();
        assertThat(fractional.output()).contains("producer_byte_rate cannot be a fractional value.");
        Result percentage = configs("--alter", "--entity-type", "clients", "--entity-name", "x", "--add-config", "request_percentage=50");
        assertThat(percentage.exitCode()).isNotZero();
        assertThat(percentage.output()).contains("request_percentage is not supported by Korvet");
        Result negative = configs("--alter", "--entity-type", "users", "--entity-name", "x", "--add-config", "consumer_byte_rate=-5");
        assertThat(negative.exitCode()).isNotZero();
        assertThat(ok(configs("--describe", "--entity-type", "clients", "--entity-name", "x")).output()).doesNotContain("Quota configs");
    }

    @Test
    void topicChangesPastTheControllerMutationRateAreRefusedUntilTheBucketRefills() throws Exception {
        ok(configs("--alter", "--entity-type", "clients", "--entity-name", "topic-maker", "--add-config", "controller_mutation_rate=1"));
        try (org.apache.kafka.clients.admin.Admin maker = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap, "client.id", "topic-maker"));
             org.apache.kafka.clients.admin.Admin other = org.apache.kafka.clients.admin.Admin.create(
                     Map.of("bootstrap.servers", bootstrap, "client.id", "other-admin"))) {
            org.apache.kafka.clients.admin.CreateTopicsOptions noRetry =
                    new org.apache.kafka.clients.admin.CreateTopicsOptions().retryOnQuotaViolation(false);
            // A bucket of 1 x 2 s = 2 tokens: five partitions go (the bucket may go below zero), then it must refill.
            maker.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("mutations-1", 5, (short) 1)), noRetry)
                    .all().get();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> maker.createTopics(
                            List.of(new org.apache.kafka.clients.admin.NewTopic("mutations-2", 1, (short) 1)), noRetry).all().get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.ThrottlingQuotaExceededException.class)
                    .satisfies(e -> assertThat(((org.apache.kafka.common.errors.ThrottlingQuotaExceededException) e.getCause())
                            .throttleTimeMs()).isPositive());
            // A topic that exists already is answered so even then: Kafka validates the topic before the quota.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> maker.createTopics(
                            List.of(new org.apache.kafka.clients.admin.NewTopic("mutations-1", 5, (short) 1)), noRetry).all().get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TopicExistsException.class);
            other.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("mutations-other", 1, (short) 1))).all().get();
            // Kafka's Admin client retries on its own after the throttle time.
            maker.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("mutations-2", 1, (short) 1))).all().get();
            assertThat(maker.listTopics().names().get()).contains("mutations-1", "mutations-2", "mutations-other");
        } finally {
            ok(configs("--alter", "--entity-type", "clients", "--entity-name", "topic-maker", "--delete-config", "controller_mutation_rate"));
        }
    }
}
