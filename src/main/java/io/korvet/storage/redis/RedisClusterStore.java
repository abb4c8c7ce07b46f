package io.korvet.storage.redis;

import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.ClusterStore;
import io.korvet.config.Endpoint;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * The brokers' shared state: the registry hash {@code <ns>:brokers} (see brokers.lua), the published leaders
 * {@code <ns>:leaders} and the change counter {@code <ns>:registry-version}. One key per command, so that it works
 * alike on a Redis Cluster.
 */
public final class RedisClusterStore implements ClusterStore {

    private final RedisConnector redis;
    private final RedisKeys keys;
    private final LuaScript brokers = LuaScript.load("brokers");
    private final LuaScript publishLeader = LuaScript.load("publish_leader");

    public RedisClusterStore(RedisConnector redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public CompletionStage<Heartbeat> heartbeat(BrokerInfo self, String incarnation, long sessionMs, boolean takeOver) {
        CompletionStage<List<Object>> reply = brokers.run(redis.async(), ScriptOutputType.MULTI, keys.brokers(),
                RedisKeys.bytes(Integer.toString(self.nodeId())), RedisKeys.bytes(incarnation), RedisKeys.bytes(self.host()),
                RedisKeys.bytes(Integer.toString(self.port())), RedisKeys.bytes(self.rack() == null ? "" : self.rack()),
                RedisKeys.bytes(Long.toString(sessionMs)), RedisKeys.bytes(takeOver ? "1" : "0"), RedisKeys.bytes(encode(self.endpoints())));
        return redis.translate(reply, "renewing the registration of broker " + self.nodeId()).thenApply(list -> {
            long now = (Long) list.get(1);
            if ((Long) list.get(0) != 1L) {
                return new Heartbeat(false, now, List.of(), decode(self.nodeId(), text(list.get(2))));
            }
            List<Registered> live = new ArrayList<>();
            for (int i = 2; i + 1 < list.size(); i += 2) {
                live.add(decode(Integer.parseInt(text(list.get(i))), text(list.get(i + 1))));
            }
            return new Heartbeat(true, now, live, null);
        });
    }

    /**
     * {@code <expires at> <incarnation> <host> <port> <rack> <listeners>}, the rack empty for none, the listeners
     * {@code NAME=host:port} joined by commas (absent from a registration of an earlier release: PLAINTEXT only).
     */
    static Registered decode(int nodeId, String value) {
        String[] parts = value.split(" ", 6);
        String rack = parts.length > 4 && !parts[4].isEmpty() ? parts[4] : null;
        List<Endpoint> endpoints = new ArrayList<>();
        if (parts.length > 5 && !parts[5].isEmpty()) {
            for (String e : parts[5].split(",")) {
                int eq = e.indexOf('=');
                int colon = e.lastIndexOf(':');
                endpoints.add(new Endpoint(e.substring(0, eq), e.substring(eq + 1, colon), Integer.parseInt(e.substring(colon + 1))));
            }
        } else {
            endpoints.add(new Endpoint(parts[2], Integer.parseInt(parts[3])));
        }
        return new Registered(new BrokerInfo(nodeId, endpoints, rack), parts[1], Long.parseLong(parts[0]));
    }

    private static String encode(List<Endpoint> endpoints) {
        StringBuilder s = new StringBuilder();
        for (Endpoint e : endpoints) {
            s.append(s.length() == 0 ? "" : ",").append(e.listenerName()).append('=').append(e.host()).append(':').append(e.port());
        }
        return s.toString();
    }

    @Override
    public CompletionStage<Void> leave(int nodeId, String incarnation) {
        byte[] field = RedisKeys.bytes(Integer.toString(nodeId));
        return redis.translate(redis.async().hget(keys.brokers(), field), "deregistering broker " + nodeId)
                .thenCompose(value -> value != null && decode(nodeId, text(value)).incarnation().equals(incarnation)
                        ? redis.translate(redis.async().hdel(keys.brokers(), field), "deregistering broker " + nodeId)
                        : CompletableFuture.completedFuture(0L))
                .thenApply(n -> null);
    }

    @Override
    public CompletionStage<Long> version() {
        return redis.translate(redis.async().get(keys.registryVersion()), "reading the registry version")
                .thenApply(v -> v == null ? 0L : Long.parseLong(text(v)));
    }

    @Override
    public CompletionStage<Map<TopicPartition, Integer>> leaderEpochs() {
        return redis.translate(redis.async().hgetall(keys.leaders()), "reading the partition leaders").thenApply(all -> {
            Map<TopicPartition, Integer> epochs = new HashMap<>();
            all.forEach((field, value) -> {
                String tp = text(field);
                int colon = tp.lastIndexOf(':');
                String v = text(value);
                epochs.put(new TopicPartition(tp.substring(0, colon), Integer.parseInt(tp.substring(colon + 1))),
                        Integer.parseInt(v.substring(0, v.indexOf(' '))));
            });
            return epochs;
        });
    }

    @Override
    public CompletionStage<Void> publishLeader(TopicPartition tp, int epoch, int nodeId) {
        CompletionStage<Long> set = publishLeader.run(redis.async(), ScriptOutputType.INTEGER, keys.leaders(),
                RedisKeys.bytes(tp.topic() + ":" + tp.partition()), RedisKeys.bytes(epoch + " " + nodeId));
        return redis.translate(set, "publishing the leader of " + tp)
                .thenCompose(written -> written == 1L ? bumpVersion(redis, keys) : CompletableFuture.<Void>completedFuture(null));
    }

    /** Bumps the change counter, so that every broker reloads what it caches of the registry. */
    static CompletionStage<Void> bumpVersion(RedisConnector redis, RedisKeys keys) {
        return redis.translate(redis.async().incr(keys.registryVersion()), "bumping the registry version").thenApply(n -> null);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? text(b) : String.valueOf(o);
    }
}
