package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.Broker;
import io.korvet.config.KorvetConfig;
import io.korvet.storage.redis.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Korvet to Redis over TLS ({@code rediss://}) with a Redis ACL user, against a real redis-server with its TLS port:
 * records go through, the CA comes from {@code korvet.redis.ssl.truststore.*}, and the password appears in no log
 * line nor in DescribeConfigs.
 */
class RedisTlsIT {

    @Test
    void rodeOverTlsWithAnAclUserAndTheSecretStaysSecret() throws Exception {
        Path dir = Files.createTempDirectory("korvet-redis-tls-");
        TestCertificates certs = TestCertificates.create(dir);
        Files.writeString(dir.resolve("server.crt"), certs.chainPem("server"));
        Files.writeString(dir.resolve("server.key"), certs.keyPem("server"));
        int tlsPort = RedisServerProcess.freePort();
        try (RedisServerProcess redis = RedisServerProcess.startWith(dir.resolve("redis"), List.of(
                "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", dir.resolve("server.crt").toString(),
                "--tls-key-file", dir.resolve("server.key").toString(),
                "--tls-ca-cert-file", dir.resolve("ca.pem").toString(),
                "--tls-auth-clients", "no",
                "--user", "korvet", "on", ">redis-pass-Xy7", "~*", "&*", "+@all"))) {
            int port = RedisServerProcess.freePort();
            Map<String, String> s = new HashMap<>();
            s.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
            s.put("korvet.redis.uri", "rediss://korvet:redis-pass-Xy7@localhost:" + tlsPort);
            s.put("korvet.redis.ssl.truststore.location", dir.resolve("ca.pem").toString());
            s.put("korvet.redis.ssl.truststore.type", "PEM");
            s.put("korvet.namespace", "tls");
            s.put("korvet.http.listener", "none");
            try (BrokerLogCapture logs = BrokerLogCapture.attach(); Broker broker = new Broker(KorvetConfig.fromMap(s)).start()) {
                Properties p = Clients.producer("127.0.0.1:" + port, StringSerializer.class);
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                    for (int i = 0; i < 10; i++) {
                        producer.send(new ProducerRecord<>("over-tls", "v" + i)).get();
                    }
                }
                assertThat(logs.messages("Korvet started")).singleElement().asString().contains("rediss://korvet:***@localhost:")
                        .doesNotContain("redis-pass-Xy7");
                assertThat(logs.messages("redis-pass-Xy7")).isEmpty();
                try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + port))) {
                    var resource = new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.BROKER, "0");
                    var entry = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("korvet.redis.uri");
                    assertThat(entry.isSensitive()).isTrue();
                    assertThat(entry.value()).isNull();
                }
            }
            s.put("korvet.redis.uri", "rediss://korvet:wrong-pass-Qz9@localhost:" + tlsPort);
            assertThatThrownBy(() -> new Broker(KorvetConfig.fromMap(s)).start().close())
                    .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain("wrong-pass-Qz9"));
        }
    }
}
