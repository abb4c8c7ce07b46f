package io.korvet.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.config.ConnectionCaps;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** max.connections.per.ip with its overrides, and max.connections, as Kafka's ConnectionQuotas count them. */
class ConnectionCountsTest {

    @Test
    void eachAddressHasItsLimitAndTheBrokerItsOwn() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        ConnectionCounts counts = new ConnectionCounts(new ConnectionCaps(4, 1, Map.of("127.0.0.2", 3)));
        assertThat(counts.admit(a)).isEqualTo(ConnectionCounts.Outcome.ADMITTED);
        assertThat(counts.admit(a)).isEqualTo(ConnectionCounts.Outcome.ADDRESS_FULL);
        assertThat(counts.limitOf(a)).isEqualTo(1);
        assertThat(counts.limitOf(b)).isEqualTo(3);
        assertThat(counts.admit(b)).isEqualTo(ConnectionCounts.Outcome.ADMITTED);
        assertThat(counts.admit(b)).isEqualTo(ConnectionCounts.Outcome.ADMITTED);
        assertThat(counts.full()).isFalse();
        assertThat(counts.admit(b)).isEqualTo(ConnectionCounts.Outcome.ADMITTED);
        assertThat(counts.full()).isTrue();
        assertThat(counts.admit(InetAddress.getByName("127.0.0.3"))).isEqualTo(ConnectionCounts.Outcome.BROKER_FULL);
        counts.release(a);
        assertThat(counts.full()).isFalse();
        assertThat(counts.admit(a)).as("a's connection closed").isEqualTo(ConnectionCounts.Outcome.ADMITTED);
    }
}
