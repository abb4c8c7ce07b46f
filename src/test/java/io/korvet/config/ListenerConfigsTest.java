package io.korvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

class ListenerConfigsTest {

    private static final String PLAIN_JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"s3cr;et\" user_bob=\"b\";";

    private static Map<String, String> tls(Map<String, String> more) {
        Map<String, String> m = new HashMap<>(Map.of("ssl.keystore.location", "/etc/k.p12", "ssl.keystore.type", "PKCS12"));
        m.putAll(more);
        return m;
    }

    @Test
    void severalNamedListenersWithTheirProtocolsAndAdvertisedAddresses() {
        Map<String, String> s = tls(Map.of(
                "listeners", "INTERNAL://0.0.0.0:9092,EXTERNAL://:9093,SSL://127.0.0.1:9094",
                "advertised.listeners", "EXTERNAL://broker.example.com:19093",
                "listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,SSL:SSL",
                "sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN",
                "listener.name.external.plain.sasl.jaas.config", PLAIN_JAAS));
        List<ListenerConfig> l = KorvetConfig.fromMap(s).listeners();
        assertThat(l).extracting(ListenerConfig::name).containsExactly("INTERNAL", "EXTERNAL", "SSL");
        assertThat(l).extracting(ListenerConfig::protocol)
                .containsExactly(SecurityProtocol.PLAINTEXT, SecurityProtocol.SASL_SSL, SecurityProtocol.SSL);
        assertThat(l.get(0).advertised()).isEqualTo(new Endpoint("INTERNAL", "localhost", 9092));
        assertThat(l.get(1).advertised()).isEqualTo(new Endpoint("EXTERNAL", "broker.example.com", 19093));
        assertThat(l.get(2).advertised()).isEqualTo(new Endpoint("SSL", "127.0.0.1", 9094));
        assertThat(l.get(1).saslMechanisms()).containsExactly("SCRAM-SHA-512", "PLAIN");
        assertThat(l.get(1).jaas().get("PLAIN").plainUsers()).containsEntry("admin", "s3cr;et").containsEntry("bob", "b");
        assertThat(l.get(0).tls()).isFalse();
        assertThat(l.get(1).tls()).isTrue();
        assertThat(l.get(1).sasl()).isTrue();
    }

    @Test
    void listenerPrefixedKeysOverrideTheGlobalOnes() {
        Map<String, String> s = tls(Map.of(
                "listeners", "A://:9093,B://:9094",
                "listener.security.protocol.map", "A:SSL,B:SSL",
                "ssl.client.auth", "requested",
                "ssl.truststore.location", "/etc/t.p12",
                "listener.name.b.ssl.client.auth", "required",
                "listener.name.b.ssl.keystore.location", "/etc/b.p12"));
        List<ListenerConfig> l = KorvetConfig.fromMap(s).listeners();
        assertThat(l.get(0).ssl()).containsEntry("ssl.client.auth", "requested").containsEntry("ssl.keystore.location", "/etc/k.p12");
        assertThat(l.get(1).ssl()).containsEntry("ssl.client.auth", "required").containsEntry("ssl.keystore.location", "/etc/b.p12");
    }

    @Test
    void reauthenticationLifetimePerListenerAndMechanism() {
        Map<String, String> s = Map.of(
                "listeners", "SASL_PLAINTEXT://:9092",
                "sasl.enabled.mechanisms", "SCRAM-SHA-256,PLAIN",
                "connections.max.reauth.ms", "60000",
                "listener.name.sasl_plaintext.plain.connections.max.reauth.ms", "5000",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS);
        ListenerConfig l = KorvetConfig.fromMap(s).listeners().get(0);
        assertThat(l.reauthMsOf("SCRAM-SHA-256")).isEqualTo(60000);
        assertThat(l.reauthMsOf("PLAIN")).isEqualTo(5000);
    }

    @Test
    void kafkasDefaultMechanismGssapiIsRefusedWithTheFix() {
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "SASL_PLAINTEXT://:9092")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GSSAPI").hasMessageContaining("sasl.enabled.mechanisms");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "SASL_PLAINTEXT://:9092",
                "sasl.enabled.mechanisms", "OAUTHBEARER"))).hasMessageContaining("OAUTHBEARER is not supported");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("sasl.kerberos.service.name", "kafka")))
                .hasMessageContaining("Kerberos");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "SASL_PLAINTEXT://:9092",
                "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config", "x required;")))
                .hasMessageContaining("OAUTHBEARER is not supported");
    }

    @Test
    void kraftControllerListenersAreNotOpened() {
        KorvetConfig c = KorvetConfig.fromMap(Map.of("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093",
                "advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
                "controller.listener.names", "CONTROLLER", "listener.name.controller.ssl.client.auth", "required",
                "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"));
        assertThat(c.listeners()).extracting(ListenerConfig::name).containsExactly("PLAINTEXT");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "CONTROLLER://:9093", "controller.listener.names",
                "CONTROLLER", "listener.security.protocol.map", "CONTROLLER:PLAINTEXT"))).hasMessageContaining("controller listener");
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "PLAINTEXT://:9092,PLAINTEXT://:9093")))
                .hasMessageContaining("appears twice");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "A://:9092,B://:9092",
                "listener.security.protocol.map", "A:PLAINTEXT,B:PLAINTEXT"))).hasMessageContaining("both use port 9092");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "SSL://:9093")))
                .hasMessageContaining("listener.name.ssl.ssl.keystore.location");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "SASL_PLAINTEXT://:9092", "sasl.enabled.mechanisms", "PLAIN")))
                .hasMessageContaining("PLAIN needs its users");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listener.name.other.ssl.client.auth", "required")))
                .hasMessageContaining("other is not one of the listeners");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listener.name.plaintext.no.such.key", "1")))
                .hasMessageContaining("unknown setting");
        assertThatThrownBy(() -> KorvetConfig.fromMap(tls(Map.of("listeners", "SSL://:9093", "ssl.client.auth", "required"))))
                .hasMessageContaining("needs a truststore");
        assertThatThrownBy(() -> KorvetConfig.fromMap(tls(Map.of("listeners", "SSL://:9093", "ssl.client.auth", "sometimes"))))
                .hasMessageContaining("none, requested or required");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("listeners", "SASL_PLAINTEXT://:9092", "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required user_a=\"secret-value\"")))
                .hasMessageContaining("must end with ';'").hasMessageNotContaining("secret-value");
    }

    @Test
    void theShippedSecuredExampleIsValid() {
        KorvetConfig c = ConfigLoader.load(java.nio.file.Path.of("config", "secured.properties"), Map.of(), List.of());
        assertThat(c.listeners()).extracting(ListenerConfig::name).containsExactly("CLIENTS", "LOCAL");
        assertThat(c.listeners().get(0).saslMechanisms()).containsExactly("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");
        assertThat(c.authorizer().superUsers()).containsExactlyInAnyOrder("User:admin", "User:ANONYMOUS");
    }

    @Test
    void secretsAreSensitive() {
        assertThat(ConfigKeys.isSensitive("ssl.keystore.password")).isTrue();
        assertThat(ConfigKeys.isSensitive("listener.name.clients.plain.sasl.jaas.config")).isTrue();
        assertThat(ConfigKeys.isSensitive("listener.name.pem.ssl.keystore.key")).isTrue();
        assertThat(ConfigKeys.isSensitive("korvet.redis.uri")).isTrue();
        assertThat(ConfigKeys.isSensitive("ssl.keystore.location")).isFalse();
    }
}
