package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;

/**
 * Kafka's connection limits: past {@code max.connections.per.ip} a new connection from the address is closed at once;
 * at {@code max.connections} the broker accepts no more until one closes, and then serves the one that waited.
 */
class ConnectionLimitsIT {

    private static ApiVersionsResponse apiVersions(RawKafkaConnection c) throws Exception {
        return c.call(RawRequests.apiVersions((short) 3));
    }

    @Test
    void aConnectionPastTheAddresssLimitIsClosedAndTheOthersAreServed() throws Exception {
        try (KorvetCluster cluster = KorvetCluster.start(Map.of("max.connections.per.ip", "2"));
             BrokerLogCapture log = BrokerLogCapture.attach()) {
            List<RawKafkaConnection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    held.add(RawKafkaConnection.open(cluster.port()));
                    assertThat(apiVersions(held.get(i)).data().errorCode()).isZero();
                }
                try (RawKafkaConnection third = RawKafkaConnection.open(cluster.port())) {
                    assertThat(third.closedByBroker()).as("the third connection from 127.0.0.1").isTrue();
                }
                assertThat(log.messages("address already has the configured maximum of 2 connections")).isNotEmpty();
                held.remove(0).close();
                try (RawKafkaConnection again = awaitServed(cluster.port())) {
                    assertThat(apiVersions(held.get(0)).data().errorCode()).as("the connection held meanwhile").isZero();
                }
            } finally {
                for (RawKafkaConnection c : held) {
                    c.close();
                }
            }
        }
    }

    /** A connection the broker serves, once the one closed before is counted out (the close reaches it a little later). */
    private static RawKafkaConnection awaitServed(int port) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            RawKafkaConnection c = RawKafkaConnection.open(port);
            try {
                apiVersions(c);
                return c;
            } catch (java.io.IOException refused) {
                c.close();
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no connection was served after one closed");
    }

    @Test
    void atTheBrokersLimitANewConnectionWaitsUntilOneCloses() throws Exception {
        try (KorvetCluster cluster = KorvetCluster.start(Map.of("max.connections", "3"))) {
            List<RawKafkaConnection> served = new ArrayList<>();
            RawKafkaConnection waiting = null;
            int correlationId = -1;
            try {
                // Open connections until one is not answered: the broker holds max.connections (the cluster's own
                // admin client may hold some of them).
                for (int i = 0; i < 4 && waiting == null; i++) {
                    RawKafkaConnection c = RawKafkaConnection.open(cluster.port());
                    int id = c.send(RawRequests.apiVersions((short) 3));
                    c.setReadTimeout(1_000);
                    try {
                        c.readFrame();
                        c.setReadTimeout(RawKafkaConnection.DEFAULT_TIMEOUT_MS);
                        served.add(c);
                    } catch (SocketTimeoutException unanswered) {
                        waiting = c;
                        correlationId = id;
                    }
                }
                assertThat(waiting).as("a connection left waiting at max.connections=3").isNotNull();
                assertThat(served).isNotEmpty();
                served.remove(0).close();
                waiting.setReadTimeout(RawKafkaConnection.DEFAULT_TIMEOUT_MS * 2);
                RawKafkaConnection.Response<ApiVersionsResponse> response = waiting.receive(
                        org.apache.kafka.common.protocol.ApiKeys.API_VERSIONS, (short) 3);
                assertThat(response.correlationId()).as("the waiting connection, served once another closed").isEqualTo(correlationId);
                assertThat(response.body().data().errorCode()).isZero();
            } finally {
                for (RawKafkaConnection c : served) {
                    c.close();
                }
                if (waiting != null) {
                    waiting.close();
                }
            }
        }
    }

    @Test
    void anAddressPastItsConnectionCreationRateHasItsNewConnectionsClosedUnread() throws Exception {
        try (KorvetCluster cluster = KorvetCluster.start(Map.of("quota.window.num", "2", "quota.window.size.seconds", "1"))) {
            org.apache.kafka.common.quota.ClientQuotaEntity ip = new org.apache.kafka.common.quota.ClientQuotaEntity(
                    Map.of(org.apache.kafka.common.quota.ClientQuotaEntity.IP, "127.0.0.1"));
            org.apache.kafka.clients.admin.Admin admin = cluster.sharedAdmin();
            admin.alterClientQuotas(List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration(ip,
                    List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration.Op("connection_creation_rate", 2.0)))))
                    .all().get();
            // Two a second over a window of at least one second: among ten connections opened at once, some are refused.
            int refused = 0;
            for (int i = 0; i < 10; i++) {
                try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
                    apiVersions(c);
                } catch (java.io.IOException closedUnread) {
                    refused++;
                }
            }
            assertThat(refused).as("connections closed unread by the connection_creation_rate of 127.0.0.1").isPositive();
        }
    }
}
