package io.korvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {

    @Test
    void parsesKafkaListenerSyntax() {
        assertThat(Endpoint.parse("listeners", "PLAINTEXT://broker:9093")).isEqualTo(new Endpoint("broker", 9093));
        assertThat(Endpoint.parse("listeners", "plaintext://broker:9093")).isEqualTo(new Endpoint("broker", 9093));
        assertThat(Endpoint.parse("listeners", "  broker:1234 ")).isEqualTo(new Endpoint("broker", 1234));
        assertThat(Endpoint.parse("listeners", "PLAINTEXT://[::1]:9092")).isEqualTo(new Endpoint("::1", 9092));
        assertThat(Endpoint.parse("listeners", "PLAINTEXT://:9092")).isEqualTo(new Endpoint("", 9092));
    }

    @Test
    void printsAsAListener() {
        assertThat(new Endpoint("broker", 9093)).hasToString("PLAINTEXT://broker:9093");
        assertThat(new Endpoint("", 9092)).hasToString("PLAINTEXT://0.0.0.0:9092");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SS L://broker:9093",
            "PLAINTEXT://broker",
            "PLAINTEXT://broker:",
            "PLAINTEXT://broker:abc",
            "PLAINTEXT://broker:-1",
            "PLAINTEXT://broker:65536",
            "PLAINTEXT://a:1,PLAINTEXT://b:2",
    })
    void rejectsMalformedNamingTheKey(String value) {
        assertThatThrownBy(() -> Endpoint.parse("advertised.listeners", value))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("advertised.listeners");
    }
}
