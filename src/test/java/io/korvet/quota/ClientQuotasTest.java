package io.korvet.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.TopicStore;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Kafka's checks of an alteration, and its order of precedence when a client has several quotas. */
class ClientQuotasTest {

    private static final String P = ClientQuotas.PRODUCER_BYTE_RATE;

    /** Quotas as Redis would hold them: entity lines to quota lines. */
    private static ClientQuotas loaded(Map<QuotaEntity, Double> producerRates) {
        Map<Map<String, String>, Map<String, String>> stored = new HashMap<>();
        producerRates.forEach((entity, rate) -> stored.put(entity.encoded(), Map.of(P, Double.toString(rate))));
        TopicStore store = (TopicStore) Proxy.newProxyInstance(TopicStore.class.getClassLoader(), new Class<?>[] {TopicStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("loadQuotas")) {
                        return CompletableFuture.completedFuture(stored);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        ClientQuotas quotas = new ClientQuotas(store);
        quotas.reload().toCompletableFuture().join();
        return quotas;
    }

    private static QuotaEntity userClient(String user, String clientId) {
        return QuotaEntity.of(user, clientId, true, true);
    }

    @Test
    void theMostSpecificEntityWinsAndUsageIsCountedAtItsLevel() {
        Map<QuotaEntity, Double> rates = new LinkedHashMap<>();
        rates.put(QuotaEntity.of(QuotaEntity.CLIENT_ID, null), 1.0);
        rates.put(QuotaEntity.of(QuotaEntity.CLIENT_ID, "app"), 2.0);
        rates.put(QuotaEntity.of(QuotaEntity.USER, null), 3.0);
        rates.put(QuotaEntity.of(QuotaEntity.USER, "alice"), 4.0);
        rates.put(userClient(null, null), 5.0);
        rates.put(userClient(null, "app"), 6.0);
        rates.put(userClient("alice", null), 7.0);
        rates.put(userClient("alice", "app"), 8.0);
        Map<QuotaEntity, Double> left = new LinkedHashMap<>(rates);
        // Each step takes away the entity that won the one before, exposing the next in Kafka's order.
        // Kafka's documented order: users/alice/clients/app, users/alice/clients/<default>, users/alice,
        // users/<default>/clients/app, users/<default>/clients/<default>, users/<default>, clients/app, clients/<default>.
        Object[][] expected = {
            {8.0, "alice", "app"}, {7.0, "alice", "app"}, {4.0, "alice", ""}, {6.0, "alice", "app"},
            {5.0, "alice", "app"}, {3.0, "alice", ""}, {2.0, "", "app"}, {1.0, "", "app"},
        };
        QuotaEntity[] winners = {
            userClient("alice", "app"), userClient("alice", null), QuotaEntity.of(QuotaEntity.USER, "alice"),
            userClient(null, "app"), userClient(null, null), QuotaEntity.of(QuotaEntity.USER, null),
            QuotaEntity.of(QuotaEntity.CLIENT_ID, "app"), QuotaEntity.of(QuotaEntity.CLIENT_ID, null),
        };
        for (int i = 0; i < expected.length; i++) {
            ClientQuotas.Limit limit = loaded(left).limit(P, "alice", "app");
            assertThat(limit).isEqualTo(new ClientQuotas.Limit((Double) expected[i][0], (String) expected[i][1], (String) expected[i][2]));
            left.remove(winners[i]);
        }
        assertThat(loaded(left).limit(P, "alice", "app")).isNull();
        assertThat(loaded(rates).limit(ClientQuotas.CONSUMER_BYTE_RATE, "alice", "app")).as("another quota key").isNull();
    }

    @Test
    void anEntityAndItsValuesAreCheckedAsKafkaChecksThem() {
        Map<String, Double> rate = Map.of(P, 1024.0);
        assertThat(ClientQuotas.refusal(QuotaEntity.of(QuotaEntity.USER, "alice"), rate)).isNull();
        assertThat(ClientQuotas.refusal(new QuotaEntity(Map.of()), rate)).isEqualTo("Invalid empty client quota entity");
        assertThat(ClientQuotas.refusal(QuotaEntity.of("group", "g"), rate)).isEqualTo("Unhandled client quota entity type: group");
        assertThat(ClientQuotas.refusal(QuotaEntity.of(QuotaEntity.CLIENT_ID, ""), rate)).isEqualTo("Empty client-id not supported");
        Map<String, String> ipAndUser = new HashMap<>(Map.of(QuotaEntity.IP, "127.0.0.1", QuotaEntity.USER, "alice"));
        assertThat(ClientQuotas.refusal(new QuotaEntity(ipAndUser), rate)).startsWith("Invalid quota entity combination");
        assertThat(ClientQuotas.refusal(QuotaEntity.of(QuotaEntity.IP, "127.0.0.1"), rate)).isEqualTo("Invalid configuration key " + P);
        assertThat(ClientQuotas.refusal(QuotaEntity.of(QuotaEntity.USER, "a"), Map.of("bogus", 1.0))).isEqualTo("Invalid configuration key bogus");
        assertThat(ClientQuotas.refusal(QuotaEntity.of(QuotaEntity.USER, "a"), Map.of(P, 0.0))).isEqualTo("Quota " + P + " must be greater than 0");
        assertThat(ClientQuotas.refusal(QuotaEntity.of(QuotaEntity.USER, "a"), Map.of(P, 1.5))).isEqualTo(P + " cannot be a fractional value.");
        assertThat(ClientQuotas.refusal(QuotaEntity.of(QuotaEntity.USER, "a"), Map.of("request_percentage", 1.5)))
                .contains("not supported by Korvet");
        Map<String, Double> removal = new HashMap<>();
        removal.put("request_percentage", null);
        assertThat(ClientQuotas.refusal(QuotaEntity.of(QuotaEntity.USER, "a"), removal)).as("a removal").isNull();
    }

    @Test
    void anEntityRoundTripsThroughItsRedisField() {
        QuotaEntity entity = userClient("alice", null);
        assertThat(QuotaEntity.decoded(entity.encoded())).isEqualTo(entity);
        assertThat(entity).hasToString("{client-id=<default>, user=alice}");
    }
}
