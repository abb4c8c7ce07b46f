package io.korvet.storage.redis;

import io.korvet.Failures;
import io.korvet.storage.StorageException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipelined Lettuce connection to Redis, and beside it the connections that carry transactions alone (see
 * {@link #dispatchTogether}). When the Redis it reaches has cluster mode on ({@code cluster_enabled:1}), the same
 * setting serves a Redis Cluster: Lettuce's cluster client routes each command to its key's master and follows the
 * slots as they move (topology refresh on MOVED, ASK, reconnects, and every 10 s), and each master has a transaction
 * connection of its own. Commands sent while Redis is unreachable are rejected at once rather than queued, and every
 * failure is translated to a {@link StorageException}. Every command's latency, on every connection, and every
 * failure translated go to a {@link RedisCommandObserver}.
 */
public final class RedisConnector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final boolean cluster;
    /** Standalone Redis: the one transaction connection (null when not asked for, or when {@link #loopLanes} carry them). */
    private final TransactionLane transactions;
    /** Standalone Redis: one transaction connection per broker event loop (null when none was given). */
    private final LoopLanes loopLanes;
    /** Redis Cluster: one per master (null when not asked for, or standalone). */
    private final ClusterTransactionLanes clusterTransactions;
    private final String description;
    private final List<RedisURI> seeds;
    private final RedisTls tls;
    private final CommandLatencies latencies;

    /** Both connections, observed by no one. */
    public RedisConnector(String uri, Duration commandTimeout) {
        this(uri, commandTimeout, null, RedisCommandObserver.NONE);
    }

    /**
     * Both connections, with TLS settings for a {@code rediss://} URI (null: the JDK's default trust), every command
     * and failure told to {@code observer}.
     */
    public RedisConnector(String uri, Duration commandTimeout, RedisTls tls, RedisCommandObserver observer) {
        this(uri, commandTimeout, tls, observer, null);
    }

    /**
     * As above, and on a standalone Redis a transaction connection per broker event loop in {@code loops} (null:
     * none), so that appends sent from a loop are written and answered on it: see {@link LoopLanes}.
     */
    public RedisConnector(String uri, Duration commandTimeout, RedisTls tls, RedisCommandObserver observer,
                          List<EventLoop> loops) {
        this(RedisSeeds.parse(uri, commandTimeout), commandTimeout, true, false, tls, new CommandLatencies(observer), loops);
    }

    /** The pipelined connection alone, to the same Redis with the same settings. */
    RedisConnector pipelinedOnly(Duration commandTimeout) {
        return new RedisConnector(seeds, commandTimeout, false, false, tls, latencies, null);
    }

    /**
     * A plain connection to one node of a Redis Cluster, for what must run on that node itself (WAIT), with the
     * seeds' credentials and TLS.
     */
    RedisConnector toNode(RedisURI node, Duration commandTimeout) {
        RedisURI seed = seeds.get(0);
        RedisURI.Builder b = RedisURI.builder(node).withSsl(seed.isSsl()).withVerifyPeer(seed.getVerifyMode())
                .withTimeout(commandTimeout);
        if (seed.getCredentialsProvider() != null) {
            b.withAuthentication(seed.getCredentialsProvider());
        }
        return new RedisConnector(List.of(b.build()), commandTimeout, false, true, tls, latencies, null);
    }

    private RedisConnector(List<RedisURI> seeds, Duration commandTimeout, boolean transactions, boolean oneNode, RedisTls tls,
                           CommandLatencies latencies, List<EventLoop> loops) {
        this.seeds = seeds;
        this.tls = tls;
        this.latencies = latencies;
        this.description = seeds.stream().map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.joining(","));
        this.resources = resourceSettings().build();
        ClientOptions.Builder optionsBuilder = ClientOptions.builder();
        if (tls != null) {
            optionsBuilder.sslOptions(tls.sslOptions());
        }
        ClientOptions options = optionsBuilder
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build();
        this.cluster = !oneNode && clusterEnabled(seeds, options);
        if (cluster) {
            RedisClusterClient clusterClient = RedisClusterClient.create(resources, seeds);
            clusterClient.setOptions(ClusterClientOptions.builder(options)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(10))
                            .enableAllAdaptiveRefreshTriggers()
                            .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                            .build())
                    .maxRedirects(5)
                    .build());
            StatefulRedisClusterConnection<byte[], byte[]> c = clusterClient.connect(ByteArrayCodec.INSTANCE);
            this.client = clusterClient;
            this.connection = c;
            this.commands = c.async();
            this.transactions = null;
            this.loopLanes = null;
            this.clusterTransactions = transactions ? new ClusterTransactionLanes(clusterClient, this::masterOf, resources, options) : null;
        } else {
            RedisClient standalone = RedisClient.create(resources, seeds.get(0));
            standalone.setOptions(options);
            StatefulRedisConnection<byte[], byte[]> c = standalone.connect(ByteArrayCodec.INSTANCE);
            this.client = standalone;
            this.connection = c;
            this.commands = c.async();
            // One transaction connection per broker loop when there are loops it can run on; else one of its own.
            this.loopLanes = transactions ? LoopLanes.connect(loops, seeds.get(0), options, resources, this::resourceSettings) : null;
            this.transactions = transactions && loopLanes == null ? new TransactionLane(standalone.connect(ByteArrayCodec.INSTANCE)) : null;
            this.clusterTransactions = null;
        }
    }

    /** Lettuce's settings for every connection of this connector. */
    private DefaultClientResources.Builder resourceSettings() {
        // Reconnect quickly once Redis is back: at most a second between attempts.
        return DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .commandLatencyRecorder(latencies);
    }

    /** Asks the first seed that answers whether it runs in cluster mode; throws when none answers. */
    private boolean clusterEnabled(List<RedisURI> seeds, ClientOptions options) {
        RuntimeException last = null;
        for (RedisURI seed : seeds) {
            RedisClient probe = RedisClient.create(resources, seed);
            probe.setOptions(options);
            try (StatefulRedisConnection<String, String> c = probe.connect()) {
                return c.sync().info("cluster").contains("cluster_enabled:1");
            } catch (RuntimeException e) {
                last = e;
                log.debug("Redis seed {}:{} did not answer: {}", seed.getHost(), seed.getPort(), e.toString());
            } finally {
                probe.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
        throw last;
    }

    public RedisClusterAsyncCommands<byte[], byte[]> async() {
        return commands;
    }

    /**
     * The commands to read a stream with: called on a broker event loop that has a connection of its own (see
     * {@link LoopLanes}), that connection's, so that the reply is read on the calling thread; else {@link #async()}.
     * Only for reads that need no order with other commands.
     */
    RedisClusterAsyncCommands<byte[], byte[]> readAsync() {
        StatefulRedisConnection<byte[], byte[]> own = loopLanes != null ? loopLanes.readConnection() : null;
        return own != null ? own.async() : commands;
    }

    /** Whether this is a Redis Cluster. */
    public boolean isCluster() {
        return cluster;
    }

    /** On a Redis Cluster, the master of {@code key}'s slot as the cluster client sees it now (null if none). */
    RedisURI masterOf(byte[] key) {
        RedisClusterNode master = ((RedisClusterClient) client).getPartitions().getMasterBySlot(SlotHash.getSlot(key));
        if (master == null) {
            ((RedisClusterClient) client).refreshPartitionsAsync();
            return null;
        }
        RedisURI uri = RedisURI.builder(seeds.get(0)).withHost(master.getUri().getHost()).withPort(master.getUri().getPort()).build();
        uri.setTimeout(seeds.get(0).getTimeout());
        return uri;
    }

    /** The seed the connector was made with first, for connections of the same settings. */
    RedisURI seed() {
        return seeds.get(0);
    }

    /**
     * Sends a command Korvet built itself (its own encoding and output); on a Redis Cluster it goes to the master of
     * the command's first key.
     */
    <T> CompletionStage<T> dispatch(RedisCommand<byte[], byte[], T> command) {
        AsyncCommand<byte[], byte[], T> async = new AsyncCommand<>(command);
        connection.dispatch(async);
        return async;
    }

    /**
     * Sends {@code commands} back to back on a transaction connection, which carries nothing else: a
     * {@code MULTI ... EXEC} group reaches Redis whole, with no other command inside it (a command of the shared
     * connection sent meanwhile would be queued into the transaction). On a Redis Cluster, the connection to the
     * master of {@code key}'s slot. After a reconnect Lettuce may send again the commands Redis had not answered, a
     * group's tail without its MULTI: {@link BatchAppend} is safe then.
     */
    <T> CompletionStage<T> dispatchTogether(byte[] key, List<? extends RedisCommand<byte[], byte[], ?>> leading,
                                            RedisCommand<byte[], byte[], T> last) {
        if (clusterTransactions != null) {
            return clusterTransactions.dispatch(key, leading, last);
        }
        if (loopLanes != null) {
            return loopLanes.dispatch(key, leading, last);
        }
        if (transactions == null) {
            throw new IllegalStateException("this connector has no transaction connection");
        }
        return transactions.dispatch(leading, last);
    }

    public String description() {
        return description;
    }

    /**
     * Maps Lettuce's failures onto the storage exceptions the rest of the broker understands, and counts each by
     * kind (a storage exception already made, a fenced append for one, is not a Redis failure and is not counted).
     */
    public <T> CompletionStage<T> translate(CompletionStage<T> stage, String what) {
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(translate(error, what));
            }
        });
        return result;
    }

    Throwable translate(Throwable error, String what) {
        Throwable e = Failures.cause(error);
        if (e instanceof StorageException) {
            return e;
        }
        RedisCommandObserver.Failure kind = RedisCommandObserver.Failure.of(e);
        latencies.observer().failed(kind);
        if (kind == RedisCommandObserver.Failure.TIMEOUT) {
            return new StorageException.Timeout("Redis did not answer in time for " + what, e);
        }
        if (kind == RedisCommandObserver.Failure.CONNECTION) {
            return new StorageException.Unavailable("Redis is unreachable for " + what + ": " + e.getMessage(), e);
        }
        if (e instanceof RedisException && String.valueOf(e.getMessage()).startsWith("LOADING")) {
            return new StorageException.Unavailable("Redis is loading its data for " + what, e);
        }
        return new StorageException("Redis failed " + what + ": " + e.getMessage(), e);
    }

    /**
     * Subscribes to a pub/sub channel on a connection of its own (on a Redis Cluster, PUBLISH reaches every node's
     * subscribers); {@code onMessage} runs on Lettuce's I/O thread. The subscription is renewed after a reconnect.
     */
    public AutoCloseable subscribe(String channel, java.util.function.Consumer<String> onMessage) {
        io.lettuce.core.pubsub.StatefulRedisPubSubConnection<String, String> pubsub = cluster
                ? ((RedisClusterClient) client).connectPubSub()
                : ((RedisClient) client).connectPubSub();
        pubsub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                if (ch.equals(channel)) {
                    onMessage.accept(message);
                }
            }
        });
        pubsub.sync().subscribe(channel);
        pubsubs.add(pubsub);
        return () -> {
            pubsubs.remove(pubsub);
            pubsub.close();
        };
    }

    /** Publishes a message on a pub/sub channel; completes with how many subscribers received it. */
    public CompletionStage<Long> publish(String channel, String message) {
        return translate(commands.publish(channel.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                message.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "publishing on " + channel);
    }

    private final java.util.List<AutoCloseable> pubsubs = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void close() {
        for (AutoCloseable p : pubsubs) {
            try {
                p.close();
            } catch (Exception ignored) {
                // Closing anyway.
            }
        }
        connection.close();
        if (transactions != null) {
            transactions.close();
        }
        if (loopLanes != null) {
            loopLanes.close();
        }
        if (clusterTransactions != null) {
            clusterTransactions.close();
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
