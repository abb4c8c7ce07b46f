package io.korvet.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.config.KorvetConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.Test;

/** Topic configs described as Kafka's DescribeConfigs reports them: value, source, synonyms, type. */
class TopicConfigDescriptionTest {

    private static Map<String, ConfigView> describe(Map<String, String> topic, BrokerConfigs broker) {
        return TopicConfigViews.describe(record(topic), broker, null, true).stream()
                .collect(Collectors.toMap(ConfigView::name, Function.identity()));
    }

    private static io.korvet.storage.TopicRecord record(Map<String, String> configs) {
        return new io.korvet.storage.TopicRecord("t", org.apache.kafka.common.Uuid.randomUuid(), 1, configs,
                io.korvet.storage.StreamFormat.BATCH);
    }

    private static List<String> synonyms(ConfigView v) {
        return v.synonyms().stream().map(s -> s.source() + ":" + s.name() + "=" + s.value()).toList();
    }

    @Test
    void aTopicSettingComesFirstThenItsBrokerSynonyms() {
        BrokerConfigs broker = new BrokerConfigs(KorvetConfig.fromMap(Map.of("log.retention.ms", "86400000")));

        Map<String, ConfigView> views = describe(Map.of("retention.ms", "1000"), broker);

        ConfigView ms = views.get("retention.ms");
        assertThat(ms.value()).isEqualTo("1000");
        assertThat(ms.source()).isEqualTo(ConfigSource.TOPIC_CONFIG);
        assertThat(synonyms(ms)).containsExactly("TOPIC_CONFIG:retention.ms=1000",
                "STATIC_BROKER_CONFIG:log.retention.ms=86400000", "DEFAULT_CONFIG:log.retention.hours=168");
        assertThat(ms.type()).isEqualTo(ConfigType.LONG);
        assertThat(ms.readOnly()).isFalse();
    }

    @Test
    void unsetConfigsTakeTheBrokersValueAndSource() {
        BrokerConfigs broker = new BrokerConfigs(KorvetConfig.fromMap(Map.of("message.max.bytes", "2000", "log.retention.hours", "2")));

        Map<String, ConfigView> views = describe(Map.of(), broker);

        assertThat(views.get("max.message.bytes").value()).isEqualTo("2000");
        assertThat(views.get("max.message.bytes").source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(synonyms(views.get("max.message.bytes")))
                .containsExactly("STATIC_BROKER_CONFIG:message.max.bytes=2000", "DEFAULT_CONFIG:message.max.bytes=1048588");
        // As in Kafka: log.retention.hours converts to the value, but the synonyms start at log.retention.ms.
        assertThat(views.get("retention.ms").value()).isEqualTo("7200000");
        assertThat(views.get("retention.ms").source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(views.get("retention.ms").synonyms()).isEmpty();
        assertThat(views.get("segment.ms").value()).isEqualTo("604800000");
        assertThat(synonyms(views.get("cleanup.policy"))).containsExactly("DEFAULT_CONFIG:log.cleanup.policy=delete");
        assertThat(views.get("cleanup.policy").type()).isEqualTo(ConfigType.LIST);
        assertThat(views.get("remote.storage.enable").synonyms()).isEmpty();
        assertThat(views.get("remote.storage.enable").source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void dynamicBrokerDefaultsReachTopicsThatSetNothing() {
        BrokerConfigs broker = new BrokerConfigs(KorvetConfig.defaults());
        broker.setDynamic("", Map.of("log.retention.bytes", "1000"));

        ConfigView bytes = describe(Map.of(), broker).get("retention.bytes");

        assertThat(bytes.value()).isEqualTo("1000");
        assertThat(bytes.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.RETENTION_BYTES, broker)).isEqualTo("1000");
        assertThat(TopicConfigs.effective(Map.of("retention.bytes", "5"), TopicConfigs.RETENTION_BYTES, broker)).isEqualTo("5");
    }

    @Test
    void onlyTheNamedConfigsAreDescribedAndSynonymsOnlyWhenAsked() {
        List<ConfigView> views = TopicConfigViews.describe(record(Map.of("retention.ms", "5")), new BrokerConfigs(KorvetConfig.defaults()),
                List.of("retention.ms", "no.such.config"), false);

        assertThat(views).singleElement().satisfies(v -> {
            assertThat(v.name()).isEqualTo("retention.ms");
            assertThat(v.synonyms()).isEmpty();
            assertThat(v.source()).isEqualTo(ConfigSource.TOPIC_CONFIG);
        });
    }

    @Test
    void listsAndTheDeletePolicy() {
        BrokerConfigs broker = new BrokerConfigs(KorvetConfig.defaults());

        assertThat(TopicConfigs.isList("cleanup.policy")).isTrue();
        assertThat(TopicConfigs.isList("leader.replication.throttled.replicas")).isTrue();
        assertThat(TopicConfigs.isList("retention.ms")).isFalse();
        assertThat(TopicConfigs.items(" delete, compact,,")).containsExactly("delete", "compact");
        assertThat(TopicConfigs.deletesRecords(Map.of(), broker)).isTrue();
        assertThat(TopicConfigs.deletesRecords(Map.of("cleanup.policy", "compact"), broker)).isFalse();
        assertThat(TopicConfigs.deletesRecords(Map.of("cleanup.policy", "compact,delete"), broker)).isTrue();
    }
}
