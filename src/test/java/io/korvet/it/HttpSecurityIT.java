package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.Broker;
import io.korvet.StartupException;
import io.korvet.config.KorvetConfig;
import io.korvet.storage.redis.RedisServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP listener beside a SASL listener with ACLs: HTTP basic authentication with the broker's own users (PLAIN
 * from the JAAS line, SCRAM from Redis), each user seeing over HTTP exactly what the ACLs let it see over Kafka, the
 * health endpoints open for probes, and an unauthenticated listener off loopback refused at start-up.
 */
class HttpSecurityIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        int port = RedisServerProcess.freePort();
        Map<String, String> s = new HashMap<>();
        s.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
        s.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
        s.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
                + " required user_admin=\"admin-secret\" user_alice=\"alice-secret\";");
        s.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        s.put("super.users", "User:admin");
        cluster = KorvetCluster.start(s);
        try (Admin admin = AclIT.admin("admin", port)) {
            admin.createTopics(List.of(new NewTopic("shown", 1, (short) 1), new NewTopic("hidden", 1, (short) 1))).all().get();
            admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "shown", PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW)))).all().get();
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("scrammy",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "scrammy-secret"))).all().get();
        }
        Map<String, Object> producer = new HashMap<>(AclIT.as("admin"));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(withBootstrap(producer, port))) {
            p.send(new ProducerRecord<>("shown", "k", "v")).get();
        }
    }

    private static java.util.Properties withBootstrap(Map<String, Object> c, int port) {
        java.util.Properties p = Clients.producer("127.0.0.1:" + port, org.apache.kafka.common.serialization.StringSerializer.class);
        p.putAll(c);
        return p;
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> get(String path, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.broker().httpPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutCredentialsOnlyHealthAnswers() throws Exception {
        for (String path : List.of("/", "/api/v1/topics", "/metrics", "/assets/console.js")) {
            HttpResponse<String> r = get(path, null, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate").orElse("")).startsWith("Basic realm=\"Korvet\"");
            assertThat(r.body()).doesNotContain("shown");
        }
        assertThat(get("/health/live", null, null).statusCode()).isEqualTo(200);
        assertThat(get("/health/ready", null, null).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/topics", "admin", "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/topics", "nobody", "admin-secret").statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/topics", "scrammy", "wrong").statusCode()).isEqualTo(401);
    }

    @Test
    void eachUserSeesWhatItsAclsAllow() throws Exception {
        HttpResponse<String> admin = get("/api/v1/topics", "admin", "admin-secret");
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).contains("\"name\":\"shown\"").contains("\"name\":\"hidden\"");
        assertThat(get("/metrics", "admin", "admin-secret").statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/topics/shown/partitions/0/records", "admin", "admin-secret").body()).contains("\"value\":\"v\"");

        HttpResponse<String> alice = get("/api/v1/topics", "alice", "alice-secret");
        assertThat(alice.statusCode()).isEqualTo(200);
        assertThat(alice.body()).contains("\"name\":\"shown\"").doesNotContain("hidden");
        assertThat(get("/api/v1/topics/hidden", "alice", "alice-secret").statusCode()).isEqualTo(404);
        // DESCRIBE without DESCRIBE_CONFIGS: the topic, not its configs.
        HttpResponse<String> shown = get("/api/v1/topics/shown", "alice", "alice-secret");
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(shown.body()).contains("\"configs\":{}").doesNotContain("retention.ms");
        assertThat(get("/api/v1/topics/shown", "admin", "admin-secret").body()).contains("retention.ms");
        // DESCRIBE but not READ: the topic is listed, its records are not shown.
        HttpResponse<String> records = get("/api/v1/topics/shown/partitions/0/records", "alice", "alice-secret");
        assertThat(records.statusCode()).isEqualTo(403);
        assertThat(records.body()).doesNotContain("\"value\"");
        assertThat(get("/metrics", "alice", "alice-secret").statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/brokers", "alice", "alice-secret").statusCode()).isEqualTo(403);

        // A SCRAM user, checked against its credential in Redis; no ACLs, so it sees no topic.
        HttpResponse<String> scram = get("/api/v1/topics", "scrammy", "scrammy-secret");
        assertThat(scram.statusCode()).isEqualTo(200);
        assertThat(scram.body()).isEqualTo("[]");
    }

    @Test
    void noAuthenticationOffLoopbackBesideSaslIsRefused() throws Exception {
        Map<String, String> s = new HashMap<>(cluster.settings());
        s.put("listeners", "SASL_PLAINTEXT://127.0.0.1:0");
        s.put("korvet.http.listener", "http://0.0.0.0:0");
        s.put("korvet.http.auth", "none");
        Broker broker = new Broker(KorvetConfig.fromMap(s));
        assertThatThrownBy(broker::start).isInstanceOf(StartupException.class)
                .hasMessageContaining("korvet.http.auth=none").hasMessageContaining("loopback");
        broker.close();
    }
}
