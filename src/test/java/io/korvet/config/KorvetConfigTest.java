package io.korvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KorvetConfigTest {

    @Test
    void defaults() {
        KorvetConfig c = KorvetConfig.defaults();

        assertThat(c.listener()).isEqualTo(new Endpoint("localhost", 9092));
        assertThat(c.advertisedListener()).isEqualTo(new Endpoint("localhost", 9092));
        assertThat(c.nodeId()).isZero();
        assertThat(c.clusterId()).isEqualTo("korvet-cluster");
        assertThat(c.numPartitions()).isEqualTo(1);
        assertThat(c.autoCreateTopics()).isTrue();
        assertThat(c.messageMaxBytes()).isEqualTo(1048588);
        assertThat(c.socketRequestMaxBytes()).isEqualTo(104857600);
        assertThat(c.logMessageTimestampType()).isEqualTo("CreateTime");
        assertThat(c.namespace()).isEqualTo("korvet");
        assertThat(c.redisUri()).isNull();
        assertThat(c.embeddedRedis()).isTrue();
        assertThat(c.redisTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void advertisedListenerDefaultsToListenerWithAReachableHost() {
        assertThat(KorvetConfig.fromMap(Map.of("listeners", "PLAINTEXT://0.0.0.0:9095")).advertisedListener())
                .isEqualTo(new Endpoint("localhost", 9095));
        assertThat(KorvetConfig.fromMap(Map.of("listeners", "PLAINTEXT://:9096")).advertisedListener())
                .isEqualTo(new Endpoint("localhost", 9096));
        assertThat(KorvetConfig.fromMap(Map.of("listeners", "PLAINTEXT://broker1:9097")).advertisedListener())
                .isEqualTo(new Endpoint("broker1", 9097));
        assertThat(KorvetConfig.fromMap(Map.of(
                "listeners", "PLAINTEXT://0.0.0.0:9095",
                "advertised.listeners", "PLAINTEXT://public.example:19095")).advertisedListener())
                .isEqualTo(new Endpoint("public.example", 19095));
    }

    @Test
    void anUnknownKeyOfKorvetsOwnIsNamed() {
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("korvet.namespce", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("korvet.namespce").hasMessageContaining("korvet.namespace");
    }

    @Test
    void theEmbeddedRedisKeepsItsDataInKafkasFirstLogDirUnlessKorvetDataDirIsSet() {
        assertThat(KorvetConfig.defaults().dataDir()).isEqualTo(java.nio.file.Path.of("korvet-data"));
        assertThat(KorvetConfig.fromMap(Map.of("log.dirs", "/data/a, /data/b")).dataDir()).isEqualTo(java.nio.file.Path.of("/data/a"));
        assertThat(KorvetConfig.fromMap(Map.of("log.dir", "/data/c")).dataDir()).isEqualTo(java.nio.file.Path.of("/data/c"));
        assertThat(KorvetConfig.fromMap(Map.of("log.dirs", "/data/a", "korvet.data.dir", "/data/k")).dataDir())
                .isEqualTo(java.nio.file.Path.of("/data/k"));
    }

    @Test
    void brokerIdStandsForNodeIdAndMustAgreeWithIt() {
        assertThat(KorvetConfig.fromMap(Map.of("broker.id", "3")).nodeId()).isEqualTo(3);
        assertThat(KorvetConfig.fromMap(Map.of("broker.id", "3", "node.id", "3")).nodeId()).isEqualTo(3);
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("broker.id", "3", "node.id", "4")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("broker.id (3) and node.id (4)");
    }

    @Test
    void networkKeysAreKafkas() {
        assertThat(KorvetConfig.defaults().network()).isEqualTo(NetworkSettings.DEFAULTS);
        NetworkSettings n = KorvetConfig.fromMap(Map.of("korvet.network.threads", "3", "socket.send.buffer.bytes", "102400",
                "socket.receive.buffer.bytes", "65536", "socket.listen.backlog.size", "50", "connections.max.idle.ms", "-1")).network();
        assertThat(n).isEqualTo(new NetworkSettings(3, 102400, 65536, 50, -1, ConnectionCaps.NONE));
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("korvet.network.threads", "0"))).hasMessageContaining("korvet.network.threads");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("socket.send.buffer.bytes", "0")))
                .hasMessageContaining("socket.send.buffer.bytes");
    }

    @Test
    void connectionLimitsAreKafkas() {
        ConnectionCaps caps = KorvetConfig.fromMap(Map.of("max.connections", "100", "max.connections.per.ip", "10",
                "max.connections.per.ip.overrides", "127.0.0.1:50, localhost : 20")).network().caps();
        assertThat(caps).isEqualTo(new ConnectionCaps(100, 10, Map.of("127.0.0.1", 50, "localhost", 20)));
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("max.connections.per.ip.overrides", "127.0.0.1")))
                .hasMessageContaining("host:count");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("max.connections.per.ip", "0")))
                .hasMessageContaining("max.connections.per.ip.overrides");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("max.connections", "-1"))).hasMessageContaining("max.connections");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "listeners|PLAINTEXT://localhost:port",
            "listeners|FOO://localhost:9093",
            "listeners|localhost",
            "listeners|PLAINTEXT://localhost:70000",
            "advertised.listeners|SASL_PLAINTEXT://localhost:9092",
            "node.id|x",
            "node.id|-1",
            "num.partitions|-1",
            "num.partitions|0",
            "num.partitions|1.5",
            "auto.create.topics.enable|yes",
            "auto.create.topics.enable|1",
            "message.max.bytes|1e6",
            "message.max.bytes|99999999999",
            "socket.request.max.bytes|0",
            "log.message.timestamp.type|createtime",
            "korvet.namespace|a:b",
            "korvet.redis.uri|http://localhost:6379",
            "korvet.redis.timeout.ms|0",
    })
    void malformedValueIsRejectedNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }

    @Test
    void wellFormedValuesAreRead() {
        KorvetConfig c = KorvetConfig.fromMap(Map.of(
                "auto.create.topics.enable", "FALSE",
                "num.partitions", " 12 ",
                "log.message.timestamp.type", "LogAppendTime",
                "korvet.redis.uri", "rediss://cache:6380",
                "korvet.namespace", "prod.eu-1_a"));

        assertThat(c.autoCreateTopics()).isFalse();
        assertThat(c.numPartitions()).isEqualTo(12);
        assertThat(c.logMessageTimestampType()).isEqualTo("LogAppendTime");
        assertThat(c.redisUri()).isEqualTo("rediss://cache:6380");
        assertThat(c.namespace()).isEqualTo("prod.eu-1_a");
    }
}
