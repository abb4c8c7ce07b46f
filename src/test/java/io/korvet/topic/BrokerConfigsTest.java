package io.korvet.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.config.KorvetConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.Test;

/** Broker configs layered and described as Kafka does: sources, synonyms, dynamic keys. */
class BrokerConfigsTest {

    private static Map<String, ConfigView> byName(List<ConfigView> views) {
        return views.stream().collect(Collectors.toMap(ConfigView::name, Function.identity()));
    }

    private static List<String> synonyms(ConfigView v) {
        return v.synonyms().stream().map(s -> s.source() + ":" + s.name() + "=" + s.value()).toList();
    }

    @Test
    void defaultsAloneReportDefaultSourcesAndNullForUnsetKeys() {
        BrokerConfigs broker = new BrokerConfigs(KorvetConfig.defaults());

        Map<String, ConfigView> views = byName(broker.describe("0", null, true));

        ConfigView ms = views.get("log.retention.ms");
        assertThat(ms.value()).isNull();
        assertThat(ms.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(ms.synonyms()).as("Kafka drops the synonyms before the key itself").isEmpty();
        assertThat(ms.readOnly()).isFalse();
        assertThat(ms.type()).isEqualTo(ConfigType.LONG);
        ConfigView hours = views.get("log.retention.hours");
        assertThat(hours.value()).isEqualTo("168");
        assertThat(synonyms(hours)).containsExactly("DEFAULT_CONFIG:log.retention.hours=168");
        assertThat(hours.type()).isEqualTo(ConfigType.INT);
        assertThat(views.get("auto.create.topics.enable").type()).isEqualTo(ConfigType.BOOLEAN);
        assertThat(views.get("num.partitions").readOnly()).isTrue();
        assertThat(views.keySet()).containsAll(KorvetConfig.KEYS.keySet());
        assertThat(broker.retentionMs()).isEqualTo(168 * 3_600_000L);
        assertThat(broker.retentionBytes()).isEqualTo(-1);
    }

    @Test
    void layersWinInKafkasOrderAndSynonymsFollowIt() {
        BrokerConfigs broker = new BrokerConfigs(KorvetConfig.fromMap(Map.of("log.retention.ms", "1000", "log.retention.hours", "5")));
        assertThat(broker.retentionMs()).isEqualTo(1000);

        broker.setDynamic("", Map.of("log.retention.ms", "2000"));
        broker.setDynamic("0", Map.of("log.retention.ms", "3000"));

        assertThat(broker.retentionMs()).isEqualTo(3000);
        ConfigView ms = byName(broker.describe("0", List.of("log.retention.ms"), true)).get("log.retention.ms");
        assertThat(ms.value()).isEqualTo("3000");
        assertThat(ms.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(synonyms(ms)).containsExactly(
                "DYNAMIC_BROKER_CONFIG:log.retention.ms=3000",
                "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=2000",
                "STATIC_BROKER_CONFIG:log.retention.ms=1000",
                "STATIC_BROKER_CONFIG:log.retention.hours=5",
                "DEFAULT_CONFIG:log.retention.hours=168");

        List<ConfigView> clusterDefault = broker.describe("", null, true);
        assertThat(clusterDefault).singleElement().satisfies(v -> {
            assertThat(v.name()).isEqualTo("log.retention.ms");
            assertThat(v.value()).isEqualTo("2000");
            assertThat(synonyms(v)).containsExactly("DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=2000");
        });

        broker.setDynamic("0", Map.of());
        assertThat(broker.retentionMs()).isEqualTo(2000);
    }

    @Test
    void minutesAndHoursConvertAndNegativeMeansUnlimited() {
        assertThat(new BrokerConfigs(KorvetConfig.fromMap(Map.of("log.retention.minutes", "3"))).retentionMs()).isEqualTo(180_000);
        assertThat(new BrokerConfigs(KorvetConfig.fromMap(Map.of("log.retention.hours", "2"))).retentionMs()).isEqualTo(7_200_000);
        assertThat(new BrokerConfigs(KorvetConfig.fromMap(Map.of("log.retention.hours", "-1"))).retentionMs()).isEqualTo(-1);
        assertThat(KorvetConfig.fromMap(Map.of("log.retention.minutes", "3")).retention().retentionMs()).isEqualTo(180_000);
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("log.retention.ms", "soon")))
                .hasMessageContaining("log.retention.ms");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("log.retention.check.interval.ms", "0")))
                .hasMessageContaining("log.retention.check.interval.ms");
        assertThatThrownBy(() -> KorvetConfig.fromMap(Map.of("log.retention.bytes", "-2")))
                .hasMessageContaining("log.retention.bytes");
    }

    @Test
    void aListenersKeystoreAndTruststoreChangePerBrokerOnly() {
        Map<String, String> rotate = Map.of("listener.name.ssl.ssl.keystore.location", "/etc/new.p12",
                "listener.name.ssl.ssl.keystore.password", "s", "listener.name.internal.ssl.truststore.certificates", "pem");
        assertThatCode(() -> BrokerConfigs.validateDynamic("0", rotate)).doesNotThrowAnyException();
        assertThatThrownBy(() -> BrokerConfigs.validateDynamic("", rotate)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("Cannot update these configs at default cluster level, broker id must be specified: [");
        // The other ssl.* keys (protocols, client authentication...) and the global ones stay static, as in Kafka.
        assertThatThrownBy(() -> BrokerConfigs.validateDynamic("0", Map.of("listener.name.ssl.ssl.client.auth", "required",
                "ssl.keystore.location", "/x"))).hasMessage("Cannot update these configs dynamically: [listener.name.ssl.ssl.client.auth,"
                + " ssl.keystore.location]");
        assertThat(BrokerConfigs.isListenerTlsKey("listener.name..ssl.keystore.location")).isFalse();
        assertThat(BrokerConfigs.redacted(rotate)).containsEntry("listener.name.ssl.ssl.keystore.password", "[hidden]")
                .containsEntry("listener.name.ssl.ssl.keystore.location", "/etc/new.p12");
    }

    @Test
    void onlyTopicDefaultsChangeDynamicallyWithKafkasMessage() {
        assertThatCode(() -> BrokerConfigs.validateDynamic("", Map.of("log.retention.ms", "60000", "log.retention.bytes", "-1",
                "message.max.bytes", "2000000", "compression.type", "lz4", "log.cleanup.policy", "compact,delete",
                "min.insync.replicas", "2", "log.retention.hours", "24"))).doesNotThrowAnyException();
        // Kafka answers INVALID_REQUEST for a broker config that fails validation (ConfigAdminManager, KAFKA-13609).
        assertThatThrownBy(() -> BrokerConfigs.validateDynamic("", Map.of("compression.type", "brotli")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("compression.type");
        assertThatThrownBy(() -> BrokerConfigs.validateDynamic("", Map.of("log.retention.hours", "3000000000")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("log.retention.hours");
        assertThatThrownBy(() -> BrokerConfigs.validateDynamic("", Map.of("log.roll.hours", "0")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("log.roll.hours");
        assertThatThrownBy(() -> BrokerConfigs.validateDynamic("", Map.of("korvet.stream.format", "record")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("korvet.stream.format");
        assertThatThrownBy(() -> BrokerConfigs.validateDynamic("", Map.of("num.partitions", "3", "listeners", "x", "log.retention.ms", "1")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Cannot update these configs dynamically: [listeners, num.partitions]");
        assertThatThrownBy(() -> BrokerConfigs.validateDynamic("", Map.of("log.retention.bytes", "lots")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("log.retention.bytes");
        assertThatThrownBy(() -> BrokerConfigs.checkBrokerId("zero"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Broker id must be an integer, but it is: zero");
        assertThatThrownBy(() -> new BrokerConfigs(KorvetConfig.defaults()).describe("3", null, false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("expected 0");
    }

    @Test
    void theRedisUriIsSensitive() {
        BrokerConfigs broker = new BrokerConfigs(KorvetConfig.fromMap(Map.of("korvet.redis.uri", "redis://:secret@localhost:6379")));

        ConfigView uri = byName(broker.describe("0", List.of("korvet.redis.uri"), true)).get("korvet.redis.uri");

        assertThat(uri.sensitive()).isTrue();
        assertThat(uri.value()).isNull();
        assertThat(uri.synonyms()).allSatisfy(s -> assertThat(s.value()).isNull());
        assertThat(uri.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
    }
}
