package io.korvet.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.config.KorvetConfig;
import io.korvet.storage.TopicRecord;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class TopicTest {

    private static TopicRecord record(Map<String, String> configs) {
        return new TopicRecord("orders", Uuid.randomUuid(), 3, configs);
    }

    @Test
    void brokerDefaultsApplyWhenTopicSetsNothing() {
        Topic t = Topic.of(record(Map.of()), KorvetConfig.fromMap(Map.of("message.max.bytes", "4096")));

        assertThat(t.maxMessageBytes()).isEqualTo(4096);
        assertThat(t.logAppendTime()).isFalse();
        assertThat(t.compacted()).isFalse();
        assertThat(t.partitions()).isEqualTo(3);
    }

    @Test
    void brokerLogAppendTimeApplies() {
        Topic t = Topic.of(record(Map.of()), KorvetConfig.fromMap(Map.of("log.message.timestamp.type", "LogAppendTime")));

        assertThat(t.logAppendTime()).isTrue();
    }

    @Test
    void topicConfigsApply() {
        Topic t = Topic.of(record(Map.of(
                "max.message.bytes", "100",
                "message.timestamp.type", "LogAppendTime",
                "cleanup.policy", "compact,delete")), KorvetConfig.defaults());

        assertThat(t.maxMessageBytes()).isEqualTo(100);
        assertThat(t.logAppendTime()).isTrue();
        assertThat(t.compacted()).isTrue();
    }

    @Test
    void partitionRange() {
        Topic t = Topic.of(record(Map.of()), KorvetConfig.defaults());

        assertThat(t.hasPartition(0)).isTrue();
        assertThat(t.hasPartition(2)).isTrue();
        assertThat(t.hasPartition(3)).isFalse();
        assertThat(t.hasPartition(-1)).isFalse();
    }
}
