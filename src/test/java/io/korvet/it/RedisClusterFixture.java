package io.korvet.it;

import io.korvet.storage.redis.RedisServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback for integration tests: {@code masters} masters, each with one replica, made with
 * {@code redis-server --cluster-enabled yes} and {@code redis-cli --cluster create ... --cluster-yes}, as an operator
 * makes one. Stops every node it started.
 */
final class RedisClusterFixture implements AutoCloseable {

    private final List<RedisServerProcess> nodes = new ArrayList<>();
    private final Path dir;

    private RedisClusterFixture(Path dir) {
        this.dir = dir;
    }

    static RedisClusterFixture start(Path dir, int masters) throws Exception {
        RedisClusterFixture cluster = new RedisClusterFixture(dir);
        try {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < masters * 2; i++) {
                RedisServerProcess node = RedisServerProcess.startClusterNode(dir.resolve("node-" + i));
                cluster.nodes.add(node);
                addresses.add("127.0.0.1:" + node.port());
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            create.addAll(addresses);
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            cluster.run(create);
            cluster.awaitState("cluster_state:ok");
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** {@code redis://h:p,h:p,...}: every node as a seed, the way an operator lists them. */
    String uri() {
        StringBuilder s = new StringBuilder("redis://");
        for (int i = 0; i < nodes.size(); i++) {
            s.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).port());
        }
        return s.toString();
    }

    List<RedisServerProcess> nodes() {
        return nodes;
    }

    /** Runs a command against one node with redis-cli, returning what it printed. */
    String cli(RedisServerProcess node, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(node.port())));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** The node currently master of {@code key}'s slot. */
    RedisServerProcess masterOf(String key) throws Exception {
        int slot = Integer.parseInt(cli(nodes.get(0), "CLUSTER", "KEYSLOT", key).trim());
        for (RedisServerProcess node : nodes) {
            for (String line : cli(node, "CLUSTER", "NODES").lines().toList()) {
                if (line.contains("myself") && line.contains("master") && ownsSlot(line, slot)) {
                    return node;
                }
            }
        }
        throw new AssertionError("no master owns slot " + slot);
    }

    /** A replica of {@code master}. */
    RedisServerProcess replicaOf(RedisServerProcess master) throws Exception {
        String id = cli(master, "CLUSTER", "MYID").trim();
        for (RedisServerProcess node : nodes) {
            for (String line : cli(node, "CLUSTER", "NODES").lines().toList()) {
                if (line.contains("myself") && line.contains("slave " + id)) {
                    return node;
                }
            }
        }
        throw new AssertionError("no replica of " + master.port());
    }

    int slotOf(String key) throws Exception {
        return Integer.parseInt(cli(nodes.get(0), "CLUSTER", "KEYSLOT", key).trim());
    }

    /** Another master than {@code master}. */
    RedisServerProcess otherMaster(RedisServerProcess master) throws Exception {
        for (RedisServerProcess node : nodes) {
            if (node != master && cli(node, "ROLE").startsWith("master")) {
                return node;
            }
        }
        throw new AssertionError("no other master");
    }

    /**
     * Moves one slot and its keys from {@code from} to {@code to} as redis-cli's resharding does: IMPORTING and
     * MIGRATING, MIGRATE the keys a few at a time, then the slot's new owner told to every node.
     */
    void migrateSlot(int slot, RedisServerProcess from, RedisServerProcess to) throws Exception {
        String fromId = cli(from, "CLUSTER", "MYID").trim();
        String toId = cli(to, "CLUSTER", "MYID").trim();
        cli(to, "CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", fromId);
        cli(from, "CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", toId);
        for (int round = 0; round < 1_000; round++) {
            List<String> keys = cli(from, "CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "10").lines()
                    .filter(l -> !l.isBlank()).toList();
            if (keys.isEmpty()) {
                break;
            }
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(to.port()), "", "0", "5000", "KEYS"));
            migrate.addAll(keys);
            cli(from, migrate.toArray(new String[0]));
        }
        for (RedisServerProcess node : nodes) {
            cli(node, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId);
        }
    }

    static boolean ownsSlot(String nodesLine, int slot) {
        String[] parts = nodesLine.split(" ");
        for (int i = 8; i < parts.length; i++) {
            String range = parts[i];
            if (range.startsWith("[")) {
                continue;
            }
            String[] ends = range.split("-");
            int from = Integer.parseInt(ends[0]);
            int to = ends.length > 1 ? Integer.parseInt(ends[1]) : from;
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    /** Waits (bounded) until every node's CLUSTER INFO contains {@code state}. */
    void awaitState(String state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (RedisServerProcess node : nodes) {
            while (!cli(node, "CLUSTER", "INFO").contains(state)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("node " + node.port() + " never reached " + state + ": " + cli(node, "CLUSTER", "INFO"));
                }
                Thread.sleep(100);
            }
        }
    }

    private String run(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "redis-cli", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish: " + Files.readString(out));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text);
        }
        return text;
    }

    @Override
    public void close() {
        for (RedisServerProcess node : nodes) {
            node.stop();
        }
    }
}
