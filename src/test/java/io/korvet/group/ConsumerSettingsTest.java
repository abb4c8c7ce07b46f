package io.korvet.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.config.ConfigException;
import io.korvet.config.KorvetConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The broker's consumer-protocol group timeouts, checked against their bounds as Kafka's group coordinator does. */
class ConsumerSettingsTest {

    private static GroupConfigs.ConsumerSettings of(Map<String, String> keys) {
        return GroupConfigs.ConsumerSettings.from(KorvetConfig.fromMap(keys));
    }

    @Test
    void kafkasDefaultsHold() {
        GroupConfigs.ConsumerSettings s = of(Map.of());
        assertThat(s.sessionTimeoutMs()).isEqualTo(45_000);
        assertThat(s.heartbeatIntervalMs()).isEqualTo(5_000);
        assertThat(ModernGroups.Settings.from(KorvetConfig.fromMap(Map.of())).sessionTimeoutMs()).isEqualTo(45_000);
    }

    @Test
    void aSessionTimeoutOutsideItsBoundsStopsStartUp() {
        assertThatThrownBy(() -> of(Map.of("group.consumer.session.timeout.ms", "6000"))).isInstanceOf(ConfigException.class)
                .hasMessage("group.consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms");
        assertThatThrownBy(() -> of(Map.of("group.consumer.session.timeout.ms", "70000"))).isInstanceOf(ConfigException.class)
                .hasMessage("group.consumer.session.timeout.ms must be less than or equal to group.consumer.max.session.timeout.ms");
        assertThatThrownBy(() -> of(Map.of("group.consumer.min.session.timeout.ms", "61000", "group.consumer.session.timeout.ms", "61000")))
                .hasMessage("group.consumer.max.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms");
        assertThat(of(Map.of("group.consumer.session.timeout.ms", "6000", "group.consumer.min.session.timeout.ms", "1000",
                "group.consumer.heartbeat.interval.ms", "500", "group.consumer.min.heartbeat.interval.ms", "100")).sessionTimeoutMs())
                .isEqualTo(6000);
    }

    @Test
    void theHeartbeatIntervalStaysWithinItsBoundsAndBelowTheSessionTimeout() {
        assertThatThrownBy(() -> of(Map.of("group.consumer.heartbeat.interval.ms", "1000")))
                .hasMessage("group.consumer.heartbeat.interval.ms must be greater than or equal to group.consumer.min.heartbeat.interval.ms");
        assertThatThrownBy(() -> of(Map.of("group.consumer.heartbeat.interval.ms", "20000")))
                .hasMessage("group.consumer.heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms");
        assertThat(of(Map.of("group.consumer.max.heartbeat.interval.ms", "4000", "group.consumer.heartbeat.interval.ms", "4000",
                "group.consumer.min.heartbeat.interval.ms", "4000")).heartbeatIntervalMs()).isEqualTo(4000);
        assertThatThrownBy(() -> of(Map.of("group.consumer.min.heartbeat.interval.ms", "16000")))
                .hasMessage("group.consumer.max.heartbeat.interval.ms must be greater than or equal to group.consumer.min.heartbeat.interval.ms");
        assertThatThrownBy(() -> of(Map.of("group.consumer.session.timeout.ms", "1000", "group.consumer.min.session.timeout.ms", "1000",
                "group.consumer.heartbeat.interval.ms", "1000", "group.consumer.min.heartbeat.interval.ms", "100")))
                .hasMessage("group.consumer.heartbeat.interval.ms must be less than group.consumer.session.timeout.ms");
    }
}
