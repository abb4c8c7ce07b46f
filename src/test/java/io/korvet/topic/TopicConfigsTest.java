package io.korvet.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.config.KorvetConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicConfigsTest {

    private static final KorvetConfig BROKER = KorvetConfig.defaults();

    private static io.korvet.storage.TopicRecord record(Map<String, String> configs) {
        return new io.korvet.storage.TopicRecord("t", org.apache.kafka.common.Uuid.randomUuid(), 1, configs,
                io.korvet.storage.StreamFormat.BATCH);
    }

    @Test
    void everyKnownNameValidatesItsDefault() {
        List<TopicConfigViews.Entry> entries = TopicConfigViews.describe(record(Map.of()), BROKER);

        assertThat(entries).hasSizeGreaterThan(30);
        assertThat(entries).extracting(TopicConfigViews.Entry::name)
                .contains("cleanup.policy", "retention.ms", "retention.bytes", "max.message.bytes", "message.timestamp.type",
                        "compression.type", "min.insync.replicas", "segment.bytes")
                .isSorted()
                .doesNotHaveDuplicates();
        for (TopicConfigViews.Entry e : entries) {
            assertThat(e.value()).as(e.name()).isNotNull();
            assertThat(e.setOnTopic()).as(e.name()).isFalse();
            assertThatCode(() -> TopicConfigs.validate(e.name(), e.value())).as(e.name()).doesNotThrowAnyException();
        }
        Map<String, String> all = new HashMap<>();
        entries.forEach(e -> all.put(e.name(), e.value()));
        assertThatCode(() -> TopicConfigs.validate(all)).doesNotThrowAnyException();
    }

    @Test
    void unknownNameIsRejectedByName() {
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("retention.ms", "1000", "retention.minutes", "5")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("retention.minutes");
    }

    @Test
    void nullValueIsRejected() {
        Map<String, String> configs = new HashMap<>();
        configs.put("retention.ms", null);

        assertThatThrownBy(() -> TopicConfigs.validate(configs))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("retention.ms");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "retention.ms|abc",
            "retention.ms|-5",
            "retention.ms|1.5",
            "retention.bytes|-2",
            "max.message.bytes|-1",
            "max.message.bytes|99999999999",
            "cleanup.policy|foo",
            "cleanup.policy|compact,foo",
            "message.timestamp.type|createtime",
            "message.timestamp.type|NoTime",
            "compression.type|brotli",
            "min.cleanable.dirty.ratio|1.5",
            "min.insync.replicas|0",
            "preallocate|yes",
            "segment.bytes|1000",
    })
    void malformedValueIsRejectedNamingTheConfig(String name, String value) {
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of(name, value)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(name);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "retention.ms|-1",
            "retention.ms|0",
            "retention.ms|86400000",
            "retention.bytes|-1",
            "cleanup.policy|delete",
            "cleanup.policy|compact",
            "cleanup.policy|compact,delete",
            "cleanup.policy|delete, compact",
            "message.timestamp.type|CreateTime",
            "message.timestamp.type|LogAppendTime",
            "compression.type|zstd",
            "max.message.bytes|0",
            "min.cleanable.dirty.ratio|0.1",
            "preallocate|TRUE",
    })
    void wellFormedValueIsAccepted(String name, String value) {
        assertThatCode(() -> TopicConfigs.validate(Map.of(name, value))).doesNotThrowAnyException();
    }

    @Test
    void effectiveFallsBackToBrokerSettings() {
        KorvetConfig broker = KorvetConfig.fromMap(Map.of(
                "message.max.bytes", "2000",
                "log.message.timestamp.type", "LogAppendTime"));

        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.MAX_MESSAGE_BYTES, broker)).isEqualTo("2000");
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.MESSAGE_TIMESTAMP_TYPE, broker)).isEqualTo("LogAppendTime");
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.MAX_MESSAGE_BYTES, BROKER)).isEqualTo("1048588");
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.MESSAGE_TIMESTAMP_TYPE, BROKER)).isEqualTo("CreateTime");
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.RETENTION_MS, broker)).isEqualTo("604800000");
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.CLEANUP_POLICY, broker)).isEqualTo("delete");
        assertThat(TopicConfigs.effective(Map.of(), "no.such.config", broker)).isNull();
    }

    @Test
    void topicSettingWinsOverBroker() {
        KorvetConfig broker = KorvetConfig.fromMap(Map.of("message.max.bytes", "2000"));
        Map<String, String> topic = Map.of("max.message.bytes", "500", "message.timestamp.type", "LogAppendTime");

        assertThat(TopicConfigs.effective(topic, TopicConfigs.MAX_MESSAGE_BYTES, broker)).isEqualTo("500");
        assertThat(TopicConfigs.effective(topic, TopicConfigs.MESSAGE_TIMESTAMP_TYPE, broker)).isEqualTo("LogAppendTime");
        assertThat(TopicConfigViews.describe(record(topic), broker))
                .filteredOn(e -> e.name().equals("max.message.bytes"))
                .singleElement()
                .isEqualTo(new TopicConfigViews.Entry("max.message.bytes", "500", true));
    }
}
