package io.korvet.it;

import io.korvet.storage.redis.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Several Korvet brokers, each its own process ({@code target/korvet.jar}), over one Redis (a redis-server of the
 * fleet's own, or the Redis Cluster a test gives) and one namespace, on loopback: node ids 1, 2, 3..., a short broker
 * session so that a killed broker's partitions move within seconds.
 */
final class BrokerFleet implements AutoCloseable {

    /** Short enough for a test, long enough for a loaded 2-core machine. */
    static final int SESSION_MS = 3_000;

    private final Path dir;
    /** The fleet's own redis-server, or null when the test gave a Redis. */
    private final RedisServerProcess redis;
    private final String redisUri;
    private final String namespace;
    private final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
    private final Map<Integer, Integer> ports = new HashMap<>();
    /** Settings every broker of the fleet gets on top of the fleet's own. */
    private final Map<String, String> extra = new HashMap<>();

    private BrokerFleet(Path dir, String namespace, String redisUri) throws Exception {
        this.dir = dir;
        this.namespace = namespace;
        this.redis = redisUri == null ? RedisServerProcess.start(dir.resolve("redis")) : null;
        this.redisUri = redisUri == null ? redis.uri() : redisUri;
    }

    /** Starts a redis-server and {@code count} brokers, one after the other. */
    static BrokerFleet start(Path dir, String namespace, int count) throws Exception {
        return start(dir, namespace, count, null);
    }

    /** Starts {@code count} brokers over {@code redisUri} (null: a redis-server of the fleet's own). */
    static BrokerFleet start(Path dir, String namespace, int count, String redisUri) throws Exception {
        return start(dir, namespace, count, redisUri, Map.of());
    }

    /** Starts {@code count} brokers, each with {@code settings} on top of the fleet's own. */
    static BrokerFleet start(Path dir, String namespace, int count, String redisUri, Map<String, String> settings)
            throws Exception {
        BrokerFleet fleet = new BrokerFleet(dir, namespace, redisUri);
        fleet.extra.putAll(settings);
        try {
            for (int id = 1; id <= count; id++) {
                fleet.startBroker(id);
            }
            fleet.awaitEachSeesAll();
        } catch (Exception | AssertionError e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    /** Starts broker {@code nodeId} (again, on its port, if it ran before); returns its start-up line. */
    String startBroker(int nodeId) throws Exception {
        Integer port = ports.get(nodeId);
        return broker(nodeId, port != null ? port : RedisServerProcess.freePort()).start();
    }

    /** A broker process for {@code nodeId} on {@code port}, not started. */
    BrokerProcess broker(int nodeId, int port) throws Exception {
        BrokerProcess existing = brokers.get(nodeId);
        if (existing != null && ports.get(nodeId) == port) {
            return existing;
        }
        Path home = dir.resolve("broker-" + nodeId + "-" + port);
        Files.createDirectories(home);
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        settings.put("korvet.http.listener", "http://127.0.0.1:0");
        settings.put("node.id", Integer.toString(nodeId));
        settings.put("korvet.redis.uri", redisUri);
        settings.put("korvet.namespace", namespace);
        settings.put("broker.session.timeout.ms", Integer.toString(SESSION_MS));
        settings.put("broker.heartbeat.interval.ms", "500");
        settings.put("group.initial.rebalance.delay.ms", "0");
        // A rack per broker, and consumers sent to a broker of their client.rack (KIP-392).
        settings.put("broker.rack", "rack-" + nodeId);
        settings.put("replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector");
        settings.putAll(extra);
        BrokerProcess broker = new BrokerProcess(home, settings);
        if (existing == null) {
            brokers.put(nodeId, broker);
            ports.put(nodeId, port);
        }
        return broker;
    }

    void kill(int nodeId) throws InterruptedException {
        brokers.get(nodeId).kill();
    }

    BrokerProcess process(int nodeId) {
        return brokers.get(nodeId);
    }

    int port(int nodeId) {
        return ports.get(nodeId);
    }

    String bootstrap(int nodeId) {
        return "127.0.0.1:" + port(nodeId);
    }

    /**
     * Waits until every broker lists every other one (a broker learns of a new one at its next heartbeat or registry
     * poll), so that a test starts from a cluster whose brokers agree.
     */
    void awaitEachSeesAll() throws Exception {
        for (int id : brokers.keySet()) {
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                    org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(id)))) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                        admin.describeCluster().nodes().get(10, java.util.concurrent.TimeUnit.SECONDS).size() == brokers.size());
            }
        }
    }

    /** Every broker's address, the way a client lists its bootstrap servers. */
    String bootstrap() {
        List<String> all = new ArrayList<>();
        for (int id : brokers.keySet()) {
            all.add(bootstrap(id));
        }
        return String.join(",", all);
    }

    @Override
    public void close() {
        for (BrokerProcess b : brokers.values()) {
            b.close();
        }
        // Every broker's output, kept for a look after the run (the test's directory is removed).
        Path kept = Path.of("target", "it-broker-logs", namespace);
        try {
            Files.createDirectories(kept);
            for (Map.Entry<Integer, BrokerProcess> e : brokers.entrySet()) {
                Files.writeString(kept.resolve("broker-" + e.getKey() + ".log"), e.getValue().output());
            }
        } catch (java.io.IOException e) {
            System.err.println("BrokerFleet: could not keep the broker logs: " + e);
        }
        if (redis != null) {
            redis.stop();
        }
    }
}
