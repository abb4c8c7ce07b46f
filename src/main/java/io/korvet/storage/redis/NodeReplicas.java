package io.korvet.storage.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for the replicas of one Redis (a standalone one, or one master of a Redis Cluster) with {@code WAIT}, on a
 * connection of its own: WAIT blocks the connection that sends it, and the broker's main connection must keep
 * serving everyone else meanwhile.
 *
 * <p>WAIT counts the replicas holding the sending connection's last write, so each wait first bumps a
 * marker key on this connection: that write comes after every append already acknowledged by Redis, and
 * a replica holding it holds them too. Waiters that arrive while a WAIT is under way are served together
 * by the next one (a group commit), asking for the most replicas any of them needs.
 */
final class NodeReplicas implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeReplicas.class);
    /** The longest one WAIT blocks; a produce with a longer timeout is answered after this at the latest. */
    public static final long MAX_WAIT_MS = 30_000;
    private static final long REPLICA_COUNT_TTL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Waiter(byte[] marker, int replicas, long deadlineNanos, CompletableFuture<Void> done) {
    }

    private final RedisConnector connection;
    // Guarded by this.
    private final List<Waiter> queued = new ArrayList<>();
    private boolean waiting;
    private CompletableFuture<Integer> replicaCount;
    private long replicaCountAt;

    NodeReplicas(RedisConnector connection) {
        this.connection = connection;
    }

    synchronized CompletionStage<Integer> connectedReplicas() {
        long now = System.nanoTime();
        if (replicaCount == null || (replicaCount.isDone() && now - replicaCountAt > REPLICA_COUNT_TTL_NANOS)) {
            replicaCountAt = now;
            replicaCount = connection.translate(connection.async().info("replication"), "INFO replication")
                    .thenApply(NodeReplicas::connectedSlaves).toCompletableFuture();
        }
        return replicaCount;
    }

    /** The {@code connected_slaves} line of {@code INFO replication}. */
    static int connectedSlaves(String info) {
        return Integer.parseInt(RedisDurability.field(info, "connected_slaves", "0"));
    }

    /** @param marker a key of this Redis (on a Redis Cluster: in a slot of this master) that the wait bumps first */
    CompletionStage<Void> awaitReplicas(byte[] marker, int replicas, long timeoutMs) {
        if (replicas <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        long bounded = Math.max(1, Math.min(timeoutMs, MAX_WAIT_MS));
        Waiter w = new Waiter(marker, replicas, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(bounded), new CompletableFuture<>());
        synchronized (this) {
            queued.add(w);
            if (!waiting) {
                startWait();
            }
        }
        return w.done;
    }

    /** Sends one WAIT for everything queued. Called holding the lock. */
    private void startWait() {
        List<Waiter> batch = new ArrayList<>(queued);
        queued.clear();
        waiting = true;
        int needed = 0;
        long now = System.nanoTime();
        long timeoutMs = Long.MAX_VALUE;
        for (Waiter w : batch) {
            needed = Math.max(needed, w.replicas);
            timeoutMs = Math.min(timeoutMs, TimeUnit.NANOSECONDS.toMillis(w.deadlineNanos - now));
        }
        // WAIT's timeout 0 would mean forever.
        long waitMs = Math.max(1, timeoutMs);
        int replicasNeeded = needed;
        var redis = connection.async();
        redis.incr(batch.get(0).marker());
        connection.translate(redis.waitForReplication(replicasNeeded, waitMs), "WAIT").whenComplete((acked, error) -> {
            List<Runnable> outcomes = new ArrayList<>();
            synchronized (this) {
                waiting = false;
                long after = System.nanoTime();
                for (Waiter w : batch) {
                    if (error == null && acked >= w.replicas) {
                        outcomes.add(() -> w.done.complete(null));
                    } else if (error != null) {
                        outcomes.add(() -> w.done.completeExceptionally(error));
                    } else if (after - w.deadlineNanos >= 0) {
                        outcomes.add(() -> w.done.completeExceptionally(new NotEnoughReplicasAfterAppendException(
                                "Only " + acked + " Redis replicas acknowledged the append in time; min.insync.replicas needs "
                                        + w.replicas + " besides the master")));
                    } else {
                        queued.add(w);
                    }
                }
                if (!queued.isEmpty()) {
                    startWait();
                }
            }
            if (error == null && acked < replicasNeeded) {
                log.warn("WAIT for {} Redis replicas: {} acknowledged within {} ms", replicasNeeded, acked, waitMs);
            }
            // Outside the lock: what runs on completion may wait again.
            outcomes.forEach(Runnable::run);
        });
    }

    @Override
    public void close() {
        connection.close();
    }
}
