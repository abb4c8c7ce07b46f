package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.redis.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SASL protocol itself, request by request (KIP-43 handshake, raw tokens after v0, KIP-152 SaslAuthenticate,
 * KIP-368 re-authentication), and Kafka's own kafka-configs.sh managing SCRAM users.
 */
class SaslProtocolIT {

    private static KorvetCluster cluster;
    private static int plaintext;
    private static int sasl;

    @BeforeAll
    static void start() throws Exception {
        plaintext = RedisServerProcess.freePort();
        sasl = RedisServerProcess.freePort();
        Map<String, String> s = new HashMap<>();
        s.put("listeners", "PLAINTEXT://127.0.0.1:" + plaintext + ",SASL_PLAINTEXT://127.0.0.1:" + sasl);
        s.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
        s.put("connections.max.reauth.ms", "1500");
        s.put("connection.failed.authentication.delay.ms", "300");
        s.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_dave=\"dave-secret\";");
        cluster = KorvetCluster.start(s);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] plain(String user, String password) {
        return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    private static SaslHandshakeRequest handshake(String mechanism, short version) {
        return new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism(mechanism)).build(version);
    }

    private static SaslAuthenticateRequest authenticate(byte[] token, short version) {
        return new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData().setAuthBytes(token)).build(version);
    }

    @Test
    void nothingButApiVersionsAndSaslHandshakeBeforeAuthentication() throws Exception {
        try (RawKafkaConnection raw = RawKafkaConnection.open(sasl)) {
            ApiVersionsResponse versions = raw.call(RawRequests.apiVersions((short) 3));
            assertThat(versions.data().apiKeys().find(ApiKeys.SASL_AUTHENTICATE.id).maxVersion()).isEqualTo((short) 2);
            CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(5000);
            create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("before-auth").setNumPartitions(1)
                    .setReplicationFactor((short) 1));
            raw.send(new CreateTopicsRequest.Builder(create).build((short) 7));
            assertThat(raw.closedByBroker()).isTrue();
        }
        try (RawKafkaConnection raw = RawKafkaConnection.open(sasl)) {
            SaslHandshakeResponse h = raw.call(handshake("PLAIN", (short) 1));
            assertThat(h.error()).isEqualTo(Errors.NONE);
            assertThat(h.data().mechanisms()).containsExactly("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
            raw.send(RawRequests.metadataAllTopics());
            assertThat(raw.closedByBroker()).isTrue();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + plaintext))) {
            assertThat(admin.listTopics().names().get()).doesNotContain("before-auth");
        }
    }

    @Test
    void beforeAuthenticationFramesAreBoundedBySaslServerMaxReceiveSize() throws Exception {
        try (RawKafkaConnection raw = RawKafkaConnection.open(sasl)) {
            // 600 KB announced: past sasl.server.max.receive.size (512 KiB), though under socket.request.max.bytes.
            raw.sendRaw(java.nio.ByteBuffer.allocate(8).putInt(600_000).putShort((short) 18).putShort((short) 3).array());
            assertThat(raw.closedByBroker()).isTrue();
        }
    }

    @Test
    void aFailedLoginIsAnsweredAfterTheDelayThenClosed() throws Exception {
        try (RawKafkaConnection raw = RawKafkaConnection.open(sasl)) {
            raw.call(handshake("PLAIN", (short) 1));
            long start = System.nanoTime();
            SaslAuthenticateResponse r = raw.call(authenticate(plain("dave", "wrong"), (short) 2));
            assertThat(r.error()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED);
            assertThat(r.errorMessage()).isEqualTo("Authentication failed: Invalid username or password");
            assertThat(System.nanoTime() - start).isGreaterThan(250_000_000L);
            assertThat(raw.closedByBroker()).isTrue();
        }
        try (RawKafkaConnection raw = RawKafkaConnection.open(sasl)) {
            SaslHandshakeResponse h = raw.call(handshake("GSSAPI", (short) 1));
            assertThat(h.error()).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM);
            assertThat(raw.closedByBroker()).isTrue();
        }
    }

    @Test
    void handshakeV0IsFollowedByRawTokens() throws Exception {
        try (RawKafkaConnection raw = RawKafkaConnection.open(sasl)) {
            assertThat(raw.<SaslHandshakeResponse>call(handshake("PLAIN", (short) 0)).error()).isEqualTo(Errors.NONE);
            raw.sendFrame(plain("dave", "dave-secret"));
            assertThat(raw.readFrame().remaining()).isZero();
            MetadataResponse metadata = raw.call(RawRequests.metadataAllTopics());
            assertThat(metadata.brokers()).extracting(n -> n.port()).containsExactly(sasl);
        }
    }

    @Test
    void saslOnAListenerWithoutItIsAnIllegalState() throws Exception {
        try (RawKafkaConnection raw = RawKafkaConnection.open(plaintext)) {
            assertThat(raw.<SaslHandshakeResponse>call(handshake("PLAIN", (short) 1)).error()).isEqualTo(Errors.ILLEGAL_SASL_STATE);
            assertThat(raw.<SaslAuthenticateResponse>call(authenticate(plain("dave", "dave-secret"), (short) 1)).error())
                    .isEqualTo(Errors.ILLEGAL_SASL_STATE);
            assertThat(raw.<MetadataResponse>call(RawRequests.metadataAllTopics()).brokers()).hasSize(1);
        }
    }

    @Test
    void aSessionPastItsLifetimeIsClosedUnlessTheClientReauthenticates() throws Exception {
        try (RawKafkaConnection raw = RawKafkaConnection.open(sasl)) {
            raw.call(handshake("PLAIN", (short) 1));
            SaslAuthenticateResponse r = raw.call(authenticate(plain("dave", "dave-secret"), (short) 1));
            assertThat(r.error()).isEqualTo(Errors.NONE);
            assertThat(r.data().sessionLifetimeMs()).isEqualTo(1500);
            raw.call(RawRequests.metadataAllTopics());
            // Re-authenticating on the same connection renews the session.
            raw.call(handshake("PLAIN", (short) 1));
            assertThat(raw.<SaslAuthenticateResponse>call(authenticate(plain("dave", "dave-secret"), (short) 1)).error())
                    .isEqualTo(Errors.NONE);
            Thread.sleep(1700);
            raw.send(RawRequests.metadataAllTopics());
            assertThat(raw.closedByBroker()).isTrue();
        }
    }

    @Test
    void kafkaClientsReauthenticateAndKeepProducing() throws Exception {
        Properties p = Clients.producer("127.0.0.1:" + sasl, StringSerializer.class);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        p.put(SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"dave\" password=\"dave-secret\";");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("reauth", "v" + i)).get();
                Thread.sleep(200);
            }
            double reauths = 0;
            for (Map.Entry<MetricName, ? extends Metric> m : producer.metrics().entrySet()) {
                if (m.getKey().name().equals("successful-reauthentication-total")) {
                    reauths += (Double) m.getValue().metricValue();
                }
            }
            assertThat(reauths).isGreaterThan(0);
        }
        assertThat(RedisProbe.streamLength(cluster, "reauth", 0)).isEqualTo(20);
    }

    @Test
    void kafkaConfigsCreatesDescribesAndDeletesScramUsers() throws Exception {
        String bootstrap = "127.0.0.1:" + plaintext;
        KafkaTools.Result alter = KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--add-config",
                "SCRAM-SHA-256=[iterations=8192,password=frank-secret],SCRAM-SHA-512=[password=frank-secret]",
                "--entity-type", "users", "--entity-name", "frank");
        assertThat(alter.exitCode()).as(alter.output()).isZero();
        assertThat(alter.output()).contains("Completed updating config for user frank.");
        KafkaTools.Result describe = KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe",
                "--entity-type", "users", "--entity-name", "frank");
        assertThat(describe.exitCode()).as(describe.output()).isZero();
        assertThat(describe.output()).contains("SCRAM credential configs for user-principal 'frank' are "
                + "SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096");

        Map<String, Object> frank = new HashMap<>();
        frank.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + sasl);
        frank.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        frank.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-256");
        frank.put(SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"frank\" password=\"frank-secret\";");
        try (Admin admin = Admin.create(frank)) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
        KafkaTools.Result delete = KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--delete-config",
                "SCRAM-SHA-256,SCRAM-SHA-512", "--entity-type", "users", "--entity-name", "frank");
        assertThat(delete.exitCode()).as(delete.output()).isZero();
        KafkaTools.Result after = KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe",
                "--entity-type", "users", "--entity-name", "frank");
        assertThat(after.output()).doesNotContain("SCRAM-SHA-256=iterations");
    }

}
