package io.korvet.cluster;

import io.korvet.cluster.ClusterStore.Heartbeat;
import io.korvet.cluster.ClusterStore.Registered;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's membership of the cluster: it registers in Redis at start-up (refusing to start while another live
 * broker holds its node id), renews the registration every {@code broker.heartbeat.interval.ms}, and from the live
 * registrations keeps the {@link ClusterView} every handler answers from. Registrations expire
 * {@code broker.session.timeout.ms} after their last renewal, so a broker that dies drops out of every view within
 * that time plus a heartbeat. It also polls the registry's change counter every {@code korvet.registry.poll.ms}, so
 * that a change made on any broker (topics, configs, leaders) reaches this one within that time.
 */
public final class ClusterMembership implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
    private final ClusterStore store;
    private final BrokerInfo self;
    private final String incarnation = Uuid.randomUuid().toString();
    private final long sessionMs;
    private final long heartbeatMs;
    private final long pollMs;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "korvet-cluster");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<ClusterView>> viewListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Supplier<? extends java.util.concurrent.CompletionStage<?>>> registryListeners =
            new CopyOnWriteArrayList<>();
    private volatile ClusterView view;
    private volatile Map<TopicPartition, Integer> publishedEpochs = Map.of();
    /** Only on the executor's thread. */
    private long seenVersion = -1;
    private boolean refused;

    public ClusterMembership(ClusterStore store, BrokerInfo self, long sessionMs, long heartbeatMs, long pollMs) {
        this.store = store;
        this.self = self;
        this.sessionMs = sessionMs;
        this.heartbeatMs = heartbeatMs;
        this.pollMs = pollMs;
        this.view = new ClusterView(self, List.of());
    }

    /**
     * Registers this broker, waiting (at most a session) for a registration of its node id left by an earlier run
     * to expire; an earlier run at this broker's own address is taken over at once, since this broker holds that
     * address's listener. Throws when another broker keeps renewing a registration of the same node id.
     */
    public void register() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sessionMs + 2 * heartbeatMs + 5_000);
        Registered seen = null;
        while (true) {
            Heartbeat hb = store.heartbeat(self, incarnation, sessionMs, false).toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (hb.accepted()) {
                apply(hb);
                return;
            }
            Registered holder = hb.holder();
            BrokerInfo other = holder.broker();
            if (other.host().equals(self.host()) && other.port() == self.port()) {
                log.info("Taking over node.id {} from an earlier run advertised at this broker's own address {}:{}",
                        self.nodeId(), other.host(), other.port());
                apply(store.heartbeat(self, incarnation, sessionMs, true).toCompletableFuture().get(30, TimeUnit.SECONDS));
                return;
            }
            if (seen != null && seen.incarnation().equals(holder.incarnation()) && holder.expiresAtMs() > seen.expiresAtMs()
                    || System.nanoTime() > deadline) {
                throw new IllegalStateException("Another live broker is registered with node.id=" + self.nodeId()
                        + " (advertised at " + other.host() + ":" + other.port() + "); every broker needs a node.id of its own");
            }
            if (seen == null) {
                log.info("node.id {} is registered by a broker at {}:{}; waiting up to {} ms for that registration to expire",
                        self.nodeId(), other.host(), other.port(), holder.expiresAtMs() - hb.nowMs());
            }
            seen = holder;
            Thread.sleep(Math.max(10, Math.min(holder.expiresAtMs() - hb.nowMs() + 20, heartbeatMs + 500)));
        }
    }

    /** Starts renewing the registration and polling for changes. */
    public void start() {
        executor.scheduleWithFixedDelay(this::heartbeat, heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::poll, 0, pollMs, TimeUnit.MILLISECONDS);
    }

    public ClusterView view() {
        return view;
    }

    public BrokerInfo self() {
        return self;
    }

    /** Runs {@code listener} (on the membership's thread) with every new view. */
    public void onViewChange(Consumer<ClusterView> listener) {
        viewListeners.add(listener);
    }

    /**
     * Runs {@code listener} (on the membership's thread) whenever the registry changed. When the stage it returns
     * fails (a reload that timed out), the next poll runs every listener again, changed counter or not: a broker
     * never stays behind a change it failed to read.
     */
    public void onRegistryChange(java.util.function.Supplier<? extends java.util.concurrent.CompletionStage<?>> listener) {
        registryListeners.add(listener);
    }

    /** Renews the registration and reads the live brokers now, rather than at the next heartbeat. */
    public void refreshSoon() {
        executor.execute(this::heartbeat);
    }

    /** The leader epoch of {@code tp} as its leader published it; 0 before any was. */
    public int publishedEpoch(TopicPartition tp) {
        return publishedEpochs.getOrDefault(tp, 0);
    }

    /** Publishes this broker's claim of {@code tp}, for the other brokers' Metadata answers. */
    public void publishLeader(TopicPartition tp, int epoch) {
        store.publishLeader(tp, epoch, self.nodeId()).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("Could not publish the leader epoch {} of {}: {}", epoch, tp, e.getMessage());
            }
        });
    }

    private void heartbeat() {
        try {
            Heartbeat hb = store.heartbeat(self, incarnation, sessionMs, false).toCompletableFuture().get(sessionMs, TimeUnit.MILLISECONDS);
            if (!hb.accepted()) {
                if (!refused) {
                    BrokerInfo other = hb.holder().broker();
                    log.error("node.id {} was registered by another broker (advertised at {}:{}) while this one could not renew"
                            + " its registration: this broker no longer counts as live", self.nodeId(), other.host(), other.port());
                    refused = true;
                }
                return;
            }
            refused = false;
            apply(hb);
        } catch (Exception e) {
            log.warn("Could not renew the registration of broker {}: {}", self.nodeId(), e.getMessage());
        }
    }

    private void apply(Heartbeat hb) {
        List<BrokerInfo> live = new ArrayList<>();
        for (Registered r : hb.live()) {
            live.add(r.broker());
        }
        ClusterView next = new ClusterView(self, live);
        ClusterView previous = view;
        if (next.sameBrokers(previous)) {
            return;
        }
        view = next;
        log.info("Live brokers: {}; controller {}", next, next.controllerId());
        for (Consumer<ClusterView> l : viewListeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("A listener failed on the new cluster view", e);
            }
        }
    }

    private void poll() {
        try {
            long version = store.version().toCompletableFuture().get(sessionMs, TimeUnit.MILLISECONDS);
            if (version == seenVersion) {
                return;
            }
            // Read before the version counts as seen: a failed read is tried again at the next poll.
            publishedEpochs = store.leaderEpochs().toCompletableFuture().get(sessionMs, TimeUnit.MILLISECONDS);
            seenVersion = version;
            for (var l : registryListeners) {
                try {
                    l.get().whenComplete((v, e) -> {
                        if (e != null) {
                            retryRegistry(version);
                        }
                    });
                } catch (RuntimeException e) {
                    log.warn("A listener failed on a registry change", e);
                    retryRegistry(version);
                }
            }
        } catch (Exception e) {
            log.debug("Could not poll the registry: {}", e.toString());
        }
    }

    /** Makes the next poll read the registry again, unless a later change was seen meanwhile. */
    private void retryRegistry(long failedVersion) {
        try {
            executor.execute(() -> {
                if (seenVersion == failedVersion) {
                    seenVersion = -1;
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // Shutting down: nothing to read again.
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
            store.leave(self.nodeId(), incarnation).toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("Could not deregister broker {}: {}", self.nodeId(), e.toString());
        }
    }
}
