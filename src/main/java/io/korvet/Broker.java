package io.korvet;

import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.ClusterMembership;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.config.Endpoint;
import io.korvet.config.KorvetConfig;
import io.korvet.config.ListenerConfig;
import io.korvet.security.SaslAuthenticator;
import io.korvet.http.BrokerMetrics;
import io.korvet.http.AdminApi;
import io.korvet.http.HttpSecurity;
import io.korvet.http.HttpServer;
import io.korvet.security.AclAuthorizer;
import io.korvet.storage.redis.RedisAclStore;
import io.korvet.storage.redis.RedisScramCredentialStore;
import io.korvet.storage.redis.RedisSeeds;
import java.util.ArrayList;
import java.util.List;
import io.korvet.dispatch.HandlerRegistry;
import io.korvet.group.GroupCoordinator;
import io.korvet.group.ModernGroups;
import io.korvet.log.LogManager;
import io.korvet.log.CompactionTransactions;
import io.korvet.log.LogCleaner;
import io.korvet.log.RetentionEnforcer;
import io.korvet.network.EventLoops;
import io.korvet.network.KafkaServer;
import io.korvet.network.ListenerStats;
import io.korvet.storage.redis.EmbeddedRedis;
import io.korvet.storage.redis.RedisClusterStore;
import io.korvet.storage.redis.RedisConnector;
import io.korvet.storage.redis.RedisGroupStore;
import io.korvet.storage.redis.RedisCompactionStore;
import io.korvet.storage.redis.RedisKeys;
import io.korvet.storage.redis.RedisTransactionStore;
import io.korvet.txn.LeaderMarkers;
import io.korvet.txn.TransactionCoordinator;
import io.korvet.txn.TransactionSweeper;
import io.korvet.storage.redis.RedisDurability;
import io.korvet.storage.redis.RedisPartitionStore;
import io.korvet.storage.redis.RedisReplicaWaiter;
import io.korvet.storage.redis.RedisTopicStore;
import io.netty.util.HashedWheelTimer;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One Korvet broker: wires Redis, the topic registry, the partition logs, the handlers and the listener. */
public final class Broker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final KorvetConfig config;
    private EmbeddedRedis embeddedRedis;
    private boolean started;
    private volatile RedisConnector redis;
    private RedisReplicaWaiter replicaWaiter;
    private ClusterMembership membership;
    private HashedWheelTimer timer;
    private RetentionEnforcer retention;
    private LogCleaner cleaner;
    private ModernGroups modernGroups;
    private io.korvet.group.share.ShareGroups shareGroups;
    private io.korvet.group.share.SharePartitions shareParts;
    private TransactionSweeper transactionSweeper;
    /** Pub/sub subscriptions (transaction markers), closed before Redis. */
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    private KafkaServer server;
    private EventLoops loops;
    private java.util.Map<String, InetSocketAddress> boundAddresses;
    private BrokerMetrics metrics;
    private HttpServer httpServer;
    private InetSocketAddress httpAddress;
    private String httpHost;
    private HttpSecurity httpSecurity;
    private volatile boolean serving;

    public Broker(KorvetConfig config) {
        this.config = config;
    }

    public synchronized Broker start() throws Exception {
        try {
            // Nothing is started before the data directory is locked and the listener bound: a second broker on
            // the same directory or port stops here, with one line, leaving the first one's Redis alone.
            if (config.embeddedRedis()) {
                embeddedRedis = EmbeddedRedis.lock(config.dataDir());
            }
            HandlerRegistry registry = new HandlerRegistry();
            timer = new HashedWheelTimer(r -> {
                Thread t = new Thread(r, "korvet-timer");
                t.setDaemon(true);
                return t;
            }, 5, TimeUnit.MILLISECONDS);
            SaslAuthenticator authenticator = new SaslAuthenticator(timer, config.failedAuthenticationDelayMs());
            loops = EventLoops.create(config.network().threads());
            server = new KafkaServer(config.listeners(), loops, config.network(), config.socketRequestMaxBytes(), config.queuedMaxRequestBytes(),
                    registry, authenticator);
            boundAddresses = server.bind();
            metrics = new BrokerMetrics(() -> server.stats());
            server.useObserver(metrics);
            String http = config.value("korvet.http.listener").trim();
            if (!http.equalsIgnoreCase("none")) {
                Endpoint e = Endpoint.parse("korvet.http.listener", http.replaceFirst("^(?i)http://", ""));
                httpHost = e.host();
                HttpSecurity.mode(config, httpHost);
                httpServer = new HttpServer(e.host(), e.port(), metrics, this::readiness);
                httpAddress = httpServer.bind();
            }
            String redisUri = config.redisUri();
            if (embeddedRedis != null) {
                embeddedRedis.start(config.embeddedRedisPort());
                redisUri = embeddedRedis.uri();
            }
            String trust = config.value("korvet.redis.ssl.truststore.location").trim();
            redis = new RedisConnector(redisUri, config.redisTimeout(), trust.isEmpty() ? null
                    : new io.korvet.storage.redis.RedisTls(trust, config.value("korvet.redis.ssl.truststore.password"),
                            config.value("korvet.redis.ssl.truststore.type")), metrics, loops.loops());
            RedisDurability durability = RedisDurability.read(redis);
            if (durability.volatileData()) {
                log.warn("Redis {} keeps no data on disk (no AOF, no RDB): acknowledged records are lost when it restarts",
                        RedisSeeds.redacted(redisUri));
            }
            RedisKeys keys = new RedisKeys(config.namespace());
            RedisTopicStore topicStore = new RedisTopicStore(redis, keys);
            RedisPartitionStore partitionStore = new RedisPartitionStore(redis, keys, config.nodeId());
            replicaWaiter = new RedisReplicaWaiter(redis, redisUri, config.redisTimeout(), keys);
            partitionStore.preloadScripts().toCompletableFuture().get(30, TimeUnit.SECONDS);
            LogManager logs = new LogManager(partitionStore, config.producerStateScanEntries());
            var topics = new io.korvet.topic.TopicManager(topicStore, config, logs);
            topics.load().toCompletableFuture().get(30, TimeUnit.SECONDS);
            io.korvet.cluster.ClusterFeatures features = new io.korvet.cluster.ClusterFeatures(topicStore, config.nodeId());
            features.reload().toCompletableFuture().get(30, TimeUnit.SECONDS);
            io.korvet.quota.ClientQuotas quotas = new io.korvet.quota.ClientQuotas(topicStore);
            quotas.reload().toCompletableFuture().get(30, TimeUnit.SECONDS);
            io.korvet.quota.Throttles throttles = io.korvet.quota.Throttles.of(quotas, config, metrics::throttled);
            server.useThrottles(throttles);
            // A keystore or truststore set dynamically for this broker is in force before the listeners accept.
            topics.onNodeConfigs(server.tls());
            var m = config.membership();
            membership = new ClusterMembership(new RedisClusterStore(redis, keys),
                    new BrokerInfo(config.nodeId(), advertised(), m.rack()),
                    m.sessionTimeoutMs(), m.heartbeatIntervalMs(), m.registryPollMs());
            membership.register();
            PartitionLeadership leadership = new PartitionLeadership(membership, topics, logs, m.rackAwareReads());
            ClusterMembership cluster = membership;
            topics.liveBrokers(() -> cluster.view().brokers().size());
            membership.onRegistryChange(() -> topics.refresh().thenCompose(v -> features.reload()).thenCompose(v -> quotas.reload())
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            log.warn("Could not reload the topic registry (tried again at the next poll): {}", e.getMessage());
                        }
                    }));
            RedisScramCredentialStore credentials = new RedisScramCredentialStore(redis, keys);
            authenticator.useCredentials(credentials);
            AclAuthorizer authorizer = null;
            if (config.authorizer() != null) {
                authorizer = new AclAuthorizer(new RedisAclStore(redis, keys), config.authorizer().superUsers(),
                        config.authorizer().allowEveryoneIfNoAclFound());
                authorizer.reload().toCompletableFuture().get(30, TimeUnit.SECONDS);
                server.useAuthorizer(authorizer);
            }

            if (authorizer != null) {
                AclAuthorizer acls = authorizer;
                membership.onRegistryChange(() -> acls.reload().whenComplete((v, e) -> {
                    if (e != null) {
                        log.warn("Could not reload the ACLs (tried again at the next poll): {}", e.getMessage());
                    }
                }));
            }
            RedisGroupStore groupStore = new RedisGroupStore(redis, keys);
            GroupCoordinator groups = new GroupCoordinator(groupStore, timer, config.groups());
            modernGroups = new ModernGroups(ModernGroups.Settings.from(config), new io.korvet.topic.LiveTopics(topics), timer);
            groups.useConsumerProtocol(modernGroups);
            io.korvet.storage.redis.RedisShareStateStore shareStore = new io.korvet.storage.redis.RedisShareStateStore(redis, keys);
            io.korvet.group.GroupConfigs shareConfigs = new io.korvet.group.GroupConfigs(
                    io.korvet.group.GroupConfigs.Settings.from(config), io.korvet.group.GroupConfigs.ConsumerSettings.from(config),
                    shareStore);
            modernGroups.useGroupConfigs(shareConfigs);
            shareGroups = new io.korvet.group.share.ShareGroups(shareConfigs.defaults(), new io.korvet.topic.LiveTopics(topics), timer);
            shareParts = new io.korvet.group.share.SharePartitions(shareStore, shareConfigs, timer, logs.store());
            io.korvet.group.share.SharePartitions releasing = shareParts;
            shareGroups.onMemberGone(releasing::releaseMember);
            io.korvet.group.ShareCoordination shares = groups.useShareGroups(shareGroups, shareParts,
                    new io.korvet.log.FollowerReads(logs.store()));
            topics.onTopicDeleted(topic -> shares.forgetTopic(topic.name()).whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("Could not drop share group state of deleted topic {}: {}", topic.name(), e.getMessage());
                }
            }));
            metrics.watch(logs, leadership::leads, groups);
            BrokerMetrics topicMetrics = metrics;
            topics.onTopicDeleted(topic -> topicMetrics.forgetTopic(topic.name()));
            topics.onTopicDeleted(topic -> groups.forgetTopic(topic.name()).whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("Could not drop committed offsets of deleted topic {}: {}", topic.name(), e.getMessage());
                }
            }));
            // The groups of the current view; a new view also drops the groups that moved away.
            java.util.function.Predicate<String> coordinated = id -> cluster.view().coordinates(id);
            groups.coordinate(coordinated);
            membership.onViewChange(view -> groups.coordinate(coordinated));
            groups.startOffsetExpiry();
            RedisTransactionStore transactionStore = new RedisTransactionStore(redis, keys);
            RedisConnector bus = redis;
            LeaderMarkers markers = new LeaderMarkers(topics, logs, leadership, new LeaderMarkers.Channels() {
                @Override
                public java.util.concurrent.CompletionStage<Long> publish(String channel, String message) {
                    return bus.publish(channel, message);
                }

                @Override
                public String requests(int nodeId) {
                    return keys.markerRequests(nodeId);
                }

                @Override
                public String replies(int nodeId) {
                    return keys.markerReplies(nodeId);
                }
            }, config.nodeId());
            subscriptions.add(redis.subscribe(keys.markerRequests(config.nodeId()), markers::onRequest));
            subscriptions.add(redis.subscribe(keys.markerReplies(config.nodeId()), markers::onReply));
            TransactionCoordinator transactions = new TransactionCoordinator(transactionStore, topicStore::nextProducerId, markers,
                    TransactionCoordinator.Settings.from(config), System::currentTimeMillis);
            transactions.coordinate(id -> cluster.view().coordinates(id));
            transactionSweeper = new TransactionSweeper(transactions, timer);
            transactionSweeper.start();
            KafkaApis.register(registry, new KafkaApis.Parts(config, topics, topicStore, logs, replicaWaiter, leadership, metrics,
                    membership, authenticator, credentials, authorizer, timer, groups, transactions, transactionStore, features,
                    quotas, throttles));

            if (httpServer != null) {
                httpSecurity = HttpSecurity.of(config, httpHost, credentials);
                httpServer.serve(httpSecurity, new AdminApi(topics, logs, leadership, groups, groupStore, metrics, authorizer));
            }
            server.open();
            membership.start();
            started = true;
            serving = true;
            retention = new RetentionEnforcer(topics, logs, leadership::leads, config.retention().checkIntervalMs(),
                    System::currentTimeMillis);
            retention.start();
            cleaner = new LogCleaner(topics, logs, new RedisCompactionStore(redis, keys, config.nodeId()), leadership::leads,
                    config.cleaner(), System::currentTimeMillis, CompactionTransactions.of(logs));
            cleaner.start();
            log.info("Korvet started: listening on {} ({} network threads), advertised as {}, HTTP {}, node {}, cluster {}, Redis {} ({}){}",
                    listening(), loops.loops().size(), advertised(), httpAddress == null ? "off" : "on http://" + httpAddress.getHostString() + ":"
                            + httpAddress.getPort() + " (" + httpSecurity.describe() + ")", config.nodeId(), config.clusterId(),
                    RedisSeeds.redacted(redisUri), durability, embeddedRedis != null
                            ? " (embedded " + embeddedRedis.executable() + ", data in " + config.dataDir().toAbsolutePath() + ")"
                            : "");
            return this;
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The listener's load right now: connections, unanswered requests and their bytes. */
    public ListenerStats listenerStats() {
        return server.stats();
    }

    /** /health/ready: serving, and Redis answers a PING within 2 s. */
    private java.util.concurrent.CompletionStage<String> readiness() {
        RedisConnector r = redis;
        if (!serving || r == null) {
            return java.util.concurrent.CompletableFuture.completedFuture("the broker is not serving (starting or stopping)");
        }
        return r.translate(r.async().ping(), "the readiness check").toCompletableFuture().orTimeout(2, TimeUnit.SECONDS)
                .handle((pong, e) -> e == null ? null : "Redis does not answer: " + (e instanceof java.util.concurrent.TimeoutException
                        || e.getCause() instanceof java.util.concurrent.TimeoutException ? "no answer within 2 s"
                        : String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
    }

    /** The HTTP listener's port (null when off). */
    public Integer httpPort() {
        return httpAddress == null ? null : httpAddress.getPort();
    }

    /** The port the first listener actually bound (useful with port 0). */
    public int port() {
        return boundAddresses.values().iterator().next().getPort();
    }

    /** The port a listener actually bound. */
    public int port(String listenerName) {
        return boundAddresses.get(listenerName).getPort();
    }

    /** Each listener's advertised address, port 0 replaced by the port bound. */
    private List<Endpoint> advertised() {
        List<Endpoint> out = new ArrayList<>();
        for (ListenerConfig l : config.listeners()) {
            Endpoint a = l.advertised();
            out.add(a.port() == 0 ? a.at(a.host(), port(l.name())) : a);
        }
        return out;
    }

    private String listening() {
        StringBuilder s = new StringBuilder();
        for (ListenerConfig l : config.listeners()) {
            Endpoint b = l.bind();
            s.append(s.length() == 0 ? "" : ", ").append(b.listenerName()).append("://").append(b.host().isEmpty() ? "*" : b.host())
                    .append(':').append(port(l.name()));
            if (!l.name().equals(l.protocol().name)) {
                s.append(" (").append(l.protocol().name).append(')');
            }
            if (l.sasl()) {
                s.append(' ').append(l.saslMechanisms());
            }
            if (l.tls()) {
                s.append(" TLS by ").append(io.korvet.network.TlsContexts.provider() == io.netty.handler.ssl.SslProvider.OPENSSL
                        ? "OpenSSL" : "the JDK");
            }
            if (l.tls() && !l.ssl().get("ssl.client.auth").equals("none")) {
                s.append(" client certificates ").append(l.ssl().get("ssl.client.auth"));
            }
        }
        return s.toString();
    }

    @Override
    public synchronized void close() {
        serving = false;
        if (httpServer != null) {
            httpServer.stop();
            httpServer = null;
        }
        if (server != null) {
            server.stop(5_000);
            server = null;
        }
        if (cleaner != null) {
            cleaner.close();
            cleaner = null;
        }
        if (retention != null) {
            retention.close();
            retention = null;
        }
        if (shareGroups != null) {
            shareGroups.close();
            shareParts.close();
            shareGroups = null;
            shareParts = null;
        }
        if (modernGroups != null) {
            modernGroups.close();
            modernGroups = null;
        }
        if (transactionSweeper != null) {
            transactionSweeper.stop();
            transactionSweeper = null;
        }
        for (AutoCloseable s : subscriptions) {
            try {
                s.close();
            } catch (Exception e) {
                log.debug("Closing a subscription failed: {}", e.toString());
            }
        }
        subscriptions.clear();
        if (membership != null) {
            membership.close();
            membership = null;
        }
        if (timer != null) {
            timer.stop();
            timer = null;
        }
        if (replicaWaiter != null) {
            replicaWaiter.close();
            replicaWaiter = null;
        }
        if (redis != null) {
            redis.close();
            redis = null;
        }
        if (loops != null) {
            // After Redis: the connections that carry appends run on these loops.
            loops.shutdown();
            loops = null;
        }
        if (embeddedRedis != null) {
            try {
                embeddedRedis.close();
            } catch (java.io.IOException e) {
                log.warn("Could not release the data directory {}: {}", config.dataDir().toAbsolutePath(), e.getMessage());
            }
            embeddedRedis = null;
        }
        if (started) {
            started = false;
            log.info("Korvet stopped");
        }
    }
}
