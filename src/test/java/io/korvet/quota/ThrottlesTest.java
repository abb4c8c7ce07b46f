package io.korvet.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.TopicStore;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Kafka's throttle time: (rate - quota) / quota x the measured window, per user and client id as the quota says. */
class ThrottlesTest {

    private static Throttles withProducerRate(QuotaEntity entity, double rate) {
        return withRate(entity, ClientQuotas.PRODUCER_BYTE_RATE, rate);
    }

    private static Throttles withRate(QuotaEntity entity, String key, double rate) {
        TopicStore store = (TopicStore) Proxy.newProxyInstance(TopicStore.class.getClassLoader(), new Class<?>[] {TopicStore.class},
                (proxy, method, args) -> CompletableFuture.completedFuture(
                        Map.of(entity.encoded(), Map.of(key, Double.toString(rate)))));
        ClientQuotas quotas = new ClientQuotas(store);
        quotas.reload().toCompletableFuture().join();
        return new Throttles(quotas, 11, 1000, (quota, ms) -> { });
    }

    @Test
    void aClientPastItsQuotaIsThrottledUntilItsRateIsBackWithinIt() {
        Throttles t = withProducerRate(QuotaEntity.of(QuotaEntity.CLIENT_ID, null), 1000);
        assertThat(t.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, "ANONYMOUS", "a", 10_000, 0)).isZero();
        // 20,000 bytes over 10 s: 2,000 B/s, twice the quota, so 10 s more bring it back to 1,000 B/s.
        assertThat(t.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, "ANONYMOUS", "a", 10_000, 0)).isEqualTo(10_000);
        // The default client-id quota counts each client id apart.
        assertThat(t.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, "ANONYMOUS", "b", 10_000, 0)).isZero();
        t.unrecord(ClientQuotas.PRODUCER_BYTE_RATE, "ANONYMOUS", "a", 10_000, 0);
        assertThat(t.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, "ANONYMOUS", "a", 0, 0)).isZero();
        assertThat(t.recordAndThrottleMs(ClientQuotas.CONSUMER_BYTE_RATE, "ANONYMOUS", "a", 1e9, 0)).as("no consumer quota").isZero();
    }

    @Test
    void aUserQuotaIsSharedByTheUsersClients() {
        Throttles t = withProducerRate(QuotaEntity.of(QuotaEntity.USER, "alice"), 1000);
        assertThat(t.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, "alice", "a", 10_000, 0)).isZero();
        assertThat(t.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, "alice", "b", 10_000, 0)).isEqualTo(10_000);
        assertThat(t.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, "bob", "a", 1e9, 0)).isZero();
        assertThat(t.maxValueInWindow(ClientQuotas.PRODUCER_BYTE_RATE, "alice", "x")).isEqualTo(10_000);
        assertThat(t.maxValueInWindow(ClientQuotas.PRODUCER_BYTE_RATE, "bob", "x")).isEqualTo(Integer.MAX_VALUE);
        assertThat(Throttles.NONE.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, "alice", "a", 1e9, 0)).isZero();
    }

    @Test
    void newConnectionsPastAnAddresssRateAreHeldAndNotCounted() throws Exception {
        java.net.InetAddress a = java.net.InetAddress.getByName("127.0.0.1");
        java.net.InetAddress b = java.net.InetAddress.getByName("127.0.0.2");
        Throttles t = withRate(QuotaEntity.of(QuotaEntity.IP, "127.0.0.1"), ClientQuotas.CONNECTION_CREATION_RATE, 1);
        // One a second over ten seconds: ten at once are within it, the eleventh is 10% over for the window.
        for (int i = 0; i < 10; i++) {
            assertThat(t.connectionThrottleMs(a, 0)).isZero();
        }
        assertThat(t.connectionThrottleMs(a, 0)).isEqualTo(1_000);
        assertThat(t.connectionThrottleMs(a, 0)).as("the refused one was not counted").isEqualTo(1_000);
        assertThat(t.connectionThrottleMs(b, 0)).as("another address, without a quota").isZero();
        Throttles byDefault = withRate(QuotaEntity.of(QuotaEntity.IP, null), ClientQuotas.CONNECTION_CREATION_RATE, 1);
        for (int i = 0; i < 10; i++) {
            assertThat(byDefault.connectionThrottleMs(b, 0)).isZero();
        }
        assertThat(byDefault.connectionThrottleMs(b, 0)).as("the default ip quota, per address").isPositive();
        assertThat(byDefault.connectionThrottleMs(a, 0)).isZero();
    }

    @Test
    void partitionChangesDrawOnATokenBucketThatRefillsAtTheQuota() {
        Throttles t = withRate(QuotaEntity.of(QuotaEntity.USER, null), ClientQuotas.CONTROLLER_MUTATION_RATE, 2);
        // A bucket of 2/s x 11 s = 22 tokens, full at first.
        assertThat(t.mutationThrottleMs("alice", "a", 0)).isZero();
        t.recordMutations("alice", "a", 30, 0);
        // 8 below zero: four seconds at two a second.
        assertThat(t.mutationThrottleMs("alice", "a", 0)).isEqualTo(4_000);
        assertThat(t.mutationThrottleMs("alice", "a", 3_000)).isEqualTo(1_000);
        assertThat(t.mutationThrottleMs("alice", "a", 4_000)).isZero();
        assertThat(t.mutationThrottleMs("bob", "a", 0)).as("the default user quota, per user").isZero();
        t.recordMutations("alice", "a", -30, 4_000);
        assertThat(t.mutationThrottleMs("alice", "a", 4_000)).as("given back, and no fuller than the burst").isZero();
        t.recordMutations("alice", "a", 23, 4_000);
        assertThat(t.mutationThrottleMs("alice", "a", 4_000)).isEqualTo(500);
    }
}
