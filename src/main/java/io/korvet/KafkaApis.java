package io.korvet;

import io.korvet.cluster.ClusterMembership;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.config.KorvetConfig;
import io.korvet.dispatch.HandlerRegistry;
import io.korvet.group.GroupCoordinator;
import io.korvet.http.BrokerMetrics;
import io.korvet.log.LogManager;
import io.korvet.security.AclAuthorizer;
import io.korvet.security.SaslAuthenticator;
import io.korvet.security.ScramCredentialStore;
import io.korvet.storage.ReplicaWaiter;
import io.korvet.storage.TopicStore;
import io.korvet.topic.TopicManager;
import io.netty.util.HashedWheelTimer;
import io.korvet.handler.AlterConfigsHandler;
import io.korvet.handler.AlterUserScramCredentialsHandler;
import io.korvet.handler.ApiVersionsHandler;
import io.korvet.handler.CreateAclsHandler;
import io.korvet.handler.CreatePartitionsHandler;
import io.korvet.handler.CreateTopicsHandler;
import io.korvet.handler.DeleteAclsHandler;
import io.korvet.handler.DeleteGroupsHandler;
import io.korvet.handler.DeleteRecordsHandler;
import io.korvet.handler.DeleteTopicsHandler;
import io.korvet.handler.DescribeAclsHandler;
import io.korvet.handler.DescribeClusterHandler;
import io.korvet.handler.DescribeConfigsHandler;
import io.korvet.handler.DescribeGroupsHandler;
import io.korvet.handler.DescribeTopicPartitionsHandler;
import io.korvet.handler.DescribeUserScramCredentialsHandler;
import io.korvet.handler.FetchHandler;
import io.korvet.handler.FindCoordinatorHandler;
import io.korvet.handler.HeartbeatHandler;
import io.korvet.handler.IncrementalAlterConfigsHandler;
import io.korvet.handler.InitProducerIdHandler;
import io.korvet.handler.JoinGroupHandler;
import io.korvet.handler.LeaveGroupHandler;
import io.korvet.handler.ListGroupsHandler;
import io.korvet.handler.ListOffsetsHandler;
import io.korvet.handler.ListPartitionReassignmentsHandler;
import io.korvet.handler.MetadataHandler;
import io.korvet.handler.OffsetCommitHandler;
import io.korvet.handler.OffsetDeleteHandler;
import io.korvet.handler.OffsetFetchHandler;
import io.korvet.handler.OffsetForLeaderEpochHandler;
import io.korvet.handler.ProduceHandler;
import io.korvet.handler.SaslAuthenticateHandler;
import io.korvet.handler.SaslHandshakeHandler;
import io.korvet.handler.SyncGroupHandler;
import io.korvet.handler.fetch.FetchSessions;

/** The one list of the Kafka APIs a broker serves, each with the handler that serves it. */
final class KafkaApis {

    /** What the handlers are built from. */
    record Parts(KorvetConfig config, TopicManager topics, TopicStore topicStore, LogManager logs, ReplicaWaiter replicaWaiter,
                 PartitionLeadership leadership, BrokerMetrics metrics, ClusterMembership membership,
                 SaslAuthenticator authenticator, ScramCredentialStore credentials, AclAuthorizer authorizer,
                 HashedWheelTimer timer, GroupCoordinator groups, io.korvet.txn.TransactionCoordinator transactions,
                 io.korvet.storage.TransactionStore transactionStore, io.korvet.cluster.ClusterFeatures features,
                 io.korvet.quota.ClientQuotas quotas, io.korvet.quota.Throttles throttles) {
    }

    private KafkaApis() {
    }

    static void register(HandlerRegistry registry, Parts p) {
        KorvetConfig config = p.config();
        TopicManager topics = p.topics();
        TopicStore topicStore = p.topicStore();
        LogManager logs = p.logs();
        ReplicaWaiter replicaWaiter = p.replicaWaiter();
        PartitionLeadership leadership = p.leadership();
        BrokerMetrics metrics = p.metrics();
        ClusterMembership membership = p.membership();
        SaslAuthenticator authenticator = p.authenticator();
        ScramCredentialStore credentials = p.credentials();
        AclAuthorizer authorizer = p.authorizer();
        HashedWheelTimer timer = p.timer();
        GroupCoordinator groups = p.groups();
        io.korvet.txn.TransactionCoordinator transactions = p.transactions();
        registry.register(new ApiVersionsHandler(registry, p.features()))
                .register(new io.korvet.handler.UpdateFeaturesHandler(p.features()))
                .register(new MetadataHandler(config, topics, leadership))
                .register(new CreateTopicsHandler(config, topics, p.throttles()))
                .register(new InitProducerIdHandler(topicStore, transactions))
                .register(new ProduceHandler(topics, logs, replicaWaiter, leadership, metrics, transactions::verify, p.throttles()))
                .register(new ListOffsetsHandler(topics, logs, leadership))
                .register(new FetchHandler(topics, logs, timer, leadership, metrics,
                        FetchSessions.withSlots(config.fetchSessionCacheSlots()), p.throttles()))
                .register(new DeleteTopicsHandler(topics, p.throttles()))
                .register(new CreatePartitionsHandler(config, topics, p.throttles()))
                .register(new DeleteRecordsHandler(topics, logs, leadership))
                .register(new DescribeConfigsHandler(topics, groupConfigs(groups)))
                .register(new AlterConfigsHandler(topics))
                .register(new IncrementalAlterConfigsHandler(topics, groupConfigs(groups)))
                .register(new DescribeClusterHandler(config, membership))
                .register(new DescribeTopicPartitionsHandler(leadership, topics))
                .register(new ListPartitionReassignmentsHandler())
                .register(new io.korvet.handler.ElectLeadersHandler(topics))
                .register(new io.korvet.handler.AlterPartitionReassignmentsHandler(topics, leadership))
                .register(new io.korvet.handler.ListConfigResourcesHandler(topics, membership, groupConfigs(groups)))
                .register(new OffsetForLeaderEpochHandler(topics, logs, leadership))
                .register(new SaslHandshakeHandler(authenticator))
                .register(new SaslAuthenticateHandler(authenticator))
                .register(new AlterUserScramCredentialsHandler(credentials))
                .register(new DescribeUserScramCredentialsHandler(credentials))
                .register(new io.korvet.handler.DescribeClientQuotasHandler(p.quotas()))
                .register(new io.korvet.handler.AlterClientQuotasHandler(p.quotas()))
                .register(new io.korvet.handler.DescribeLogDirsHandler(topics, logs, leadership, logDir(config),
                        config.embeddedRedis() ? config.dataDir().toAbsolutePath().toFile() : null))
                .register(new CreateAclsHandler(authorizer))
                .register(new DescribeAclsHandler(authorizer))
                .register(new DeleteAclsHandler(authorizer));
        registry.register(new FindCoordinatorHandler(membership))
                .register(new JoinGroupHandler(groups))
                .register(new SyncGroupHandler(groups))
                .register(new HeartbeatHandler(groups))
                .register(new LeaveGroupHandler(groups))
                .register(new OffsetCommitHandler(groups, topics))
                .register(new OffsetFetchHandler(groups, topics, p.transactionStore()))
                .register(new DescribeGroupsHandler(groups))
                .register(new ListGroupsHandler(groups))
                .register(new DeleteGroupsHandler(groups))
                .register(new OffsetDeleteHandler(groups, topics))
                .register(consumerGroups(new io.korvet.handler.ConsumerGroupHeartbeatHandler(groups), p.features()))
                .register(consumerGroups(new io.korvet.handler.ConsumerGroupDescribeHandler(groups), p.features()));
        registry.register(new io.korvet.handler.AddPartitionsToTxnHandler(transactions, topics))
                .register(new io.korvet.handler.AddOffsetsToTxnHandler(transactions))
                .register(new io.korvet.handler.EndTxnHandler(transactions))
                .register(new io.korvet.handler.TxnOffsetCommitHandler(groups, transactions, p.transactionStore(), topics))
                .register(new io.korvet.handler.DescribeTransactionsHandler(transactions))
                .register(new io.korvet.handler.ListTransactionsHandler(transactions))
                .register(new io.korvet.handler.DescribeProducersHandler(topics, logs, leadership));
        if (groups.share() != null) {
            registerShareGroups(registry, p, groups.share());
        }
    }

    /** Where DescribeLogDirs says the records are: the embedded Redis's data directory, or the Redis's address and namespace. */
    private static String logDir(KorvetConfig config) {
        return config.embeddedRedis() ? config.dataDir().toAbsolutePath().toString()
                : io.korvet.storage.redis.RedisSeeds.redacted(config.redisUri()) + " (namespace " + config.namespace() + ")";
    }

    private static io.korvet.group.GroupConfigs groupConfigs(GroupCoordinator groups) {
        return groups.share() == null ? null : groups.share().partitions().configs();
    }

    /** Share groups (KIP-932): the coordinator's APIs and the share partition leader's. */
    private static void registerShareGroups(HandlerRegistry registry, Parts p, io.korvet.group.ShareCoordination share) {
        io.korvet.group.share.SharePartitions partitions = share.partitions();
        io.korvet.cluster.ClusterFeatures f = p.features();
        registry.register(shareGroups(new io.korvet.handler.ShareGroupHeartbeatHandler(share), f))
                .register(shareGroups(new io.korvet.handler.ShareGroupDescribeHandler(share), f))
                .register(shareGroups(new io.korvet.handler.ShareFetchHandler(p.topics(), p.logs(), p.leadership(), partitions,
                        partitions.sessions(), p.timer()), f))
                .register(shareGroups(new io.korvet.handler.ShareAcknowledgeHandler(p.topics(), p.logs(), p.leadership(), partitions,
                        partitions.sessions()), f))
                .register(shareGroups(new io.korvet.handler.DescribeShareGroupOffsetsHandler(share, p.topics()), f))
                .register(shareGroups(new io.korvet.handler.AlterShareGroupOffsetsHandler(share, p.topics()), f))
                .register(shareGroups(new io.korvet.handler.DeleteShareGroupOffsetsHandler(share, p.topics()), f));
    }

    private static <R extends org.apache.kafka.common.requests.AbstractRequest> io.korvet.dispatch.ApiHandler<R> consumerGroups(
            io.korvet.dispatch.ApiHandler<R> handler, io.korvet.cluster.ClusterFeatures features) {
        return io.korvet.handler.FeatureGated.gate(handler, features, io.korvet.cluster.ClusterFeatures.GROUP_VERSION,
                "Consumer-protocol groups (KIP-848)");
    }

    private static <R extends org.apache.kafka.common.requests.AbstractRequest> io.korvet.dispatch.ApiHandler<R> shareGroups(
            io.korvet.dispatch.ApiHandler<R> handler, io.korvet.cluster.ClusterFeatures features) {
        return io.korvet.handler.FeatureGated.gate(handler, features, io.korvet.cluster.ClusterFeatures.SHARE_VERSION,
                "Share groups (KIP-932)");
    }
}
