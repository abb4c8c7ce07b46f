package io.korvet.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.config.ConfigException;
import io.korvet.config.ConfigLoader;
import io.korvet.config.Endpoint;
import io.korvet.config.KorvetConfig;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaBrokerKeysTest {

    private static Path kafkaServerProperties() throws URISyntaxException {
        return Path.of(KafkaBrokerKeysTest.class.getResource("/kafka/kraft-server.properties").toURI());
    }

    @Test
    void kafkasOwnServerPropertiesLoadsWithItsClientListenerOnly() throws Exception {
        KorvetConfig c = ConfigLoader.load(kafkaServerProperties(), Map.of(), List.of());

        assertThat(c.listeners()).hasSize(1);
        assertThat(c.listener()).isEqualTo(new Endpoint("PLAINTEXT", "", 9092));
        assertThat(c.advertisedListener()).isEqualTo(new Endpoint("PLAINTEXT", "localhost", 9092));
        assertThat(c.nodeId()).isEqualTo(1);
        assertThat(c.network().threads()).as("Kafka's num.network.threads does not size Korvet's threads").isZero();
        assertThat(c.network().sendBufferBytes()).isEqualTo(102400);

        KafkaBrokerKeys.Review review = KafkaBrokerKeys.review(c);
        assertThat(review.unknown()).isEmpty();
        assertThat(review.topicDefaults()).isEmpty();
        assertThat(c.dataDir()).as("the embedded Redis keeps its data where Kafka kept its logs")
                .isEqualTo(Path.of("/tmp/kraft-combined-logs"));
        assertThat(review.withoutEffect()).containsOnlyKeys("process.roles", "controller.quorum.bootstrap.servers", "num.io.threads", "num.network.threads",
                "num.recovery.threads.per.data.dir", "offsets.topic.replication.factor",
                "share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr",
                "transaction.state.log.replication.factor", "transaction.state.log.min.isr");
        assertThat(review.infoLines()).anySatisfy(l -> assertThat(l).contains("num.recovery.threads.per.data.dir")
                .contains("korvet.data.dir"));
        assertThat(review.warningLines()).isEmpty();
    }

    @Test
    void brokerKeysThatSetTopicDefaultsTakeEffectAndAreChecked() {
        KorvetConfig c = KorvetConfig.fromMap(Map.of("compression.type", "lz4", "log.cleanup.policy", "compact",
                "log.message.timestamp.after.max.ms", "60000"));
        BrokerConfigs broker = new BrokerConfigs(c);
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.COMPRESSION_TYPE, broker)).isEqualTo("lz4");
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.CLEANUP_POLICY, broker)).isEqualTo("compact");
        assertThat(TopicConfigs.effective(Map.of(), TopicConfigs.TIMESTAMP_AFTER_MAX_MS, broker)).isEqualTo("60000");
        assertThat(KafkaBrokerKeys.review(c).topicDefaults()).hasSize(3);

        assertThatThrownBy(() -> KafkaBrokerKeys.review(KorvetConfig.fromMap(Map.of("log.cleanup.policy", "forever"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.cleanup.policy").hasMessageContaining("cleanup.policy");
        assertThatThrownBy(() -> KafkaBrokerKeys.review(KorvetConfig.fromMap(Map.of("log.roll.jitter.hours", "soon"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.roll.jitter.hours");
    }

    @Test
    void environmentVariablesSetKafkasKeysToo() {
        KorvetConfig c = ConfigLoader.load(null, Map.of("KORVET_COMPRESSION_TYPE", "lz4", "KORVET_LOG_CLEANUP_POLICY", "compact"),
                List.of(), KafkaBrokerKeys.recognized());
        assertThat(c.settings()).containsEntry("compression.type", "lz4").containsEntry("log.cleanup.policy", "compact");
        assertThat(KafkaBrokerKeys.review(c).topicDefaults()).hasSize(2);
    }

    @Test
    void aKeyNobodyKnowsIsWarnedOfAndIgnored() {
        KafkaBrokerKeys.Review review = KafkaBrokerKeys.review(KorvetConfig.fromMap(Map.of("num.partitons", "3")));
        assertThat(review.unknown()).containsExactly("num.partitons");
        assertThat(review.warningLines()).singleElement().asString().contains("'num.partitons'").contains("isn't a known config");
    }
}
