package io.korvet.config;

import java.util.List;

/**
 * Every key the broker accepts, with its default and what it means: the one list that the configuration,
 * {@code --describe-config} and the unknown-key messages are made from.
 */
public final class ConfigKeys {

    /** One key; an empty default means none. */
    public record Key(String name, String defaultValue, String meaning) {
    }

    public static final List<Key> ALL = List.of(
            new Key("listeners", "PLAINTEXT://localhost:9092", "the listeners, NAME://host:port, comma-separated"),
            new Key("advertised.listeners", "",
                    "the addresses clients are told to use, by listener name (default: the listener's, localhost for a wildcard host)"),
            new Key("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
                    "the security protocol of each listener name"),
            new Key("ssl.keystore.type", "JKS", "JKS, PKCS12 or PEM"),
            new Key("ssl.keystore.location", "", "the broker's key and certificate (a keystore file, or a PEM file with both)"),
            new Key("ssl.keystore.password", "", "the keystore's password"),
            new Key("ssl.key.password", "", "the private key's password (PEM: of the encrypted key)"),
            new Key("ssl.keystore.certificate.chain", "", "PEM: the certificate chain itself, instead of a file"),
            new Key("ssl.keystore.key", "", "PEM: the private key itself, instead of a file"),
            new Key("ssl.truststore.type", "JKS", "JKS, PKCS12 or PEM"),
            new Key("ssl.truststore.location", "", "the CAs client certificates are checked against"),
            new Key("ssl.truststore.password", "", "the truststore's password"),
            new Key("ssl.truststore.certificates", "", "PEM: the trusted certificates themselves, instead of a file"),
            new Key("ssl.enabled.protocols", "TLSv1.2,TLSv1.3", "the TLS versions accepted"),
            new Key("ssl.protocol", "TLSv1.3", "the TLS protocol of the SSL context"),
            new Key("ssl.cipher.suites", "", "the cipher suites accepted (default: those of the TLS provider)"),
            new Key("ssl.client.auth", "none", "none, requested or required: whether clients must present a certificate"),
            new Key("ssl.principal.mapping.rules", "DEFAULT", "how a client certificate's distinguished name becomes a user name"),
            new Key("ssl.endpoint.identification.algorithm", "https", "accepted for compatibility; a broker checks no host name"),
            new Key("ssl.keymanager.algorithm", "SunX509", "the key manager factory's algorithm"),
            new Key("ssl.trustmanager.algorithm", "PKIX", "the trust manager factory's algorithm"),
            new Key("ssl.provider", "", "accepted for compatibility; Korvet uses OpenSSL where available, else the JDK"),
            new Key("ssl.secure.random.implementation", "", "the SecureRandom algorithm (default: the JDK's)"),
            new Key("ssl.allow.dn.changes", "false",
                    "whether a keystore reloaded at runtime may present certificates with other distinguished names"),
            new Key("ssl.allow.san.changes", "false",
                    "whether a keystore reloaded at runtime may drop subject alternative names its certificates had"),
            new Key("sasl.enabled.mechanisms", "GSSAPI", "the SASL mechanisms of SASL listeners: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"),
            new Key("sasl.mechanism.inter.broker.protocol", "GSSAPI", "accepted for compatibility; Korvet's brokers share Redis, not a protocol"),
            new Key("security.inter.broker.protocol", "PLAINTEXT", "accepted for compatibility; Korvet's brokers share Redis, not a protocol"),
            new Key("inter.broker.listener.name", "", "accepted for compatibility; Korvet's brokers share Redis, not a protocol"),
            new Key("connections.max.reauth.ms", "0",
                    "when positive, how long an authenticated session lasts before the client must re-authenticate (KIP-368)"),
            new Key("connection.failed.authentication.delay.ms", "100", "how long a failed login waits before its answer and close"),
            new Key("sasl.server.max.receive.size", "524288", "largest SASL token accepted before authentication"),
            new Key("principal.builder.class", "", "only Kafka's DefaultKafkaPrincipalBuilder (the default) is available"),
            new Key("authorizer.class.name", "",
                    "org.apache.kafka.metadata.authorizer.StandardAuthorizer (or kafka.security.authorizer.AclAuthorizer) turns"
                            + " ACLs on; none: every client may do everything"),
            new Key("super.users", "", "principals allowed everything, User:name separated by ';'"),
            new Key("allow.everyone.if.no.acl.found", "false", "with ACLs on, whether a resource no ACL matches is open to all"),
            new Key("node.id", "0", "this broker's id in Metadata; every broker sharing a Redis and namespace needs its own"),
            new Key("broker.id", "", "Kafka's older name for node.id, used when node.id is not set (both set: they must match)"),
            new Key("controller.listener.names", "",
                    "KRaft controller listeners: those of the listeners named here are not opened (Korvet's brokers agree"
                            + " through Redis, with no controller quorum)"),
            new Key("korvet.network.threads", "",
                    "threads serving client connections, their requests and their Redis round trips (default: two per core)"),
            new Key("socket.send.buffer.bytes", "-1", "SO_SNDBUF of client connections; -1: the operating system's, which it tunes"),
            new Key("socket.receive.buffer.bytes", "-1", "SO_RCVBUF of client connections; -1: the operating system's, which it tunes"),
            new Key("socket.listen.backlog.size", "1024", "connections waiting to be accepted, per listener"),
            new Key("connections.max.idle.ms", "600000", "a client connection with no request or response for this long is closed"),
            new Key("broker.rack", "", "this broker's rack, shown to clients (none by default)"),
            new Key("broker.session.timeout.ms", "9000",
                    "how long a broker counts as live after its last heartbeat; its partitions and groups then move"),
            new Key("broker.heartbeat.interval.ms", "2000", "how often a broker renews its registration in Redis"),
            new Key("replica.selector.class", "",
                    "org.apache.kafka.common.replica.RackAwareReplicaSelector sends consumers to a broker of their client.rack"
                            + " (KIP-392); none: consumers read from leaders"),
            new Key("korvet.registry.poll.ms", "100",
                    "how often a broker checks whether another changed topics, configs or leaders (one GET)"),
            new Key("num.partitions", "1", "partitions of auto-created topics and of CreateTopics without a count"),
            new Key("korvet.max.partitions.per.topic", "100000", "most partitions a topic may have"),
            new Key("auto.create.topics.enable", "true", "create unknown topics named in Metadata requests that allow it"),
            new Key("message.max.bytes", "1048588", "largest record batch accepted (topic default for max.message.bytes)"),
            new Key("socket.request.max.bytes", "104857600", "largest request frame; larger frames close the connection"),
            new Key("queued.max.request.bytes", "104857600",
                    "bytes of unanswered requests, over all connections, past which the broker stops reading (-1: no bound)"),
            new Key("min.insync.replicas", "1", "topic default: with acks=all, how many copies (Redis master and replicas) must hold a batch"),
            new Key("log.message.timestamp.type", "CreateTime", "topic default for message.timestamp.type"),
            new Key("log.retention.ms", "", "topic default for retention.ms; -1 keeps records forever"),
            new Key("log.retention.minutes", "", "used when log.retention.ms is not set"),
            new Key("log.retention.hours", "168", "used when neither log.retention.ms nor log.retention.minutes is set"),
            new Key("log.retention.bytes", "-1", "topic default for retention.bytes (per partition; -1: no limit)"),
            new Key("log.retention.check.interval.ms", "300000", "how often retention runs"),
            new Key("log.cleaner.enable", "true", "run the log cleaner, which compacts the topics whose cleanup.policy includes compact"),
            new Key("log.cleaner.threads", "1", "partitions compacted at once"),
            new Key("log.cleaner.backoff.ms", "15000", "how long the log cleaner waits when no partition is worth cleaning"),
            new Key("log.cleaner.dedupe.buffer.size", "134217728",
                    "memory of the map of keys a compaction pass builds (24 bytes a key, per cleaner thread); a larger dirty part"
                            + " is cleaned over several passes"),
            new Key("log.cleaner.io.buffer.load.factor", "0.9", "how full the map of keys may get"),
            new Key("log.cleaner.delete.retention.ms", "86400000", "topic default for delete.retention.ms"),
            new Key("log.cleaner.min.cleanable.ratio", "0.5", "topic default for min.cleanable.dirty.ratio"),
            new Key("log.cleaner.min.compaction.lag.ms", "0", "topic default for min.compaction.lag.ms"),
            new Key("log.cleaner.max.compaction.lag.ms", "9223372036854775807", "topic default for max.compaction.lag.ms"),
            new Key("log.segment.bytes", "1073741824", "topic default for segment.bytes (the log cleaner's active segment)"),
            new Key("log.roll.ms", "", "topic default for segment.ms (the log cleaner's active segment)"),
            new Key("log.roll.hours", "168", "used when log.roll.ms is not set"),
            new Key("group.min.session.timeout.ms", "6000", "shortest session.timeout.ms a group member may ask for"),
            new Key("group.max.session.timeout.ms", "1800000", "longest session.timeout.ms a group member may ask for"),
            new Key("group.initial.rebalance.delay.ms", "3000", "how long the first rebalance of an empty group waits for more members"),
            new Key("offset.metadata.max.bytes", "4096", "largest metadata string of a committed offset"),
            new Key("max.connections", "2147483647", "the most client connections the broker holds; past it, it accepts no more until one closes"),
            new Key("max.connections.per.ip", "2147483647", "the most connections from one address; past it a new one is closed"),
            new Key("max.connections.per.ip.overrides", "", "host:count pairs, comma-separated: per-address limits other than max.connections.per.ip"),
            new Key("quota.window.num", "11", "client quotas: how many sample windows a client's byte rate is measured over"),
            new Key("quota.window.size.seconds", "1", "client quotas: the length of each sample window"),
            new Key("group.consumer.session.timeout.ms", "45000",
                    "consumer-protocol groups (KIP-848): how long a member stays without a heartbeat"),
            new Key("group.consumer.heartbeat.interval.ms", "5000",
                    "consumer-protocol groups: how often members are told to heartbeat"),
            new Key("group.consumer.min.session.timeout.ms", "45000",
                    "consumer-protocol groups: the shortest consumer.session.timeout.ms a group's config may set"),
            new Key("group.consumer.max.session.timeout.ms", "60000",
                    "consumer-protocol groups: the longest consumer.session.timeout.ms a group's config may set"),
            new Key("group.consumer.min.heartbeat.interval.ms", "5000",
                    "consumer-protocol groups: the shortest consumer.heartbeat.interval.ms a group's config may set"),
            new Key("group.consumer.max.heartbeat.interval.ms", "15000",
                    "consumer-protocol groups: the longest consumer.heartbeat.interval.ms a group's config may set"),
            new Key("group.consumer.assignors", "uniform,range",
                    "consumer-protocol groups: the server-side assignors (uniform, range, or Kafka's class names), the first the default"),
            new Key("group.consumer.migration.policy", "bidirectional",
                    "moving a live group between the classic and the consumer protocol: bidirectional, upgrade, downgrade or disabled"),
            new Key("group.share.session.timeout.ms", "45000", "share groups (KIP-932): how long a member stays without a heartbeat"),
            new Key("group.share.heartbeat.interval.ms", "5000", "share groups: how often members are told to heartbeat"),
            new Key("group.share.record.lock.duration.ms", "30000",
                    "share groups: how long a member holds the records it acquired (group config share.record.lock.duration.ms)"),
            new Key("group.share.partition.max.record.locks", "2000",
                    "share groups: how far past a share partition's start offset records may be acquired"),
            new Key("group.share.delivery.count.limit", "5",
                    "share groups: deliveries of a record before it is archived (group config share.delivery.count.limit)"),
            new Key("offsets.retention.minutes", "10080",
                    "how long committed offsets are kept after their group becomes empty (after their commit for consumers"
                            + " without a group protocol)"),
            new Key("offsets.retention.check.interval.ms", "600000", "how often expired committed offsets are removed"),
            new Key("transaction.max.timeout.ms", "900000", "the longest transaction.timeout.ms a transactional producer may ask for"),
            new Key("transaction.abort.timed.out.transaction.cleanup.interval.ms", "10000",
                    "how often the transaction coordinator aborts timed-out transactions and completes decided ones"),
            new Key("transactional.id.expiration.ms", "604800000",
                    "how long a transactional id without a transaction is kept after its producer was last heard of"),
            new Key("max.incremental.fetch.session.cache.slots", "1000",
                    "how many incremental fetch sessions (KIP-227) this broker keeps; 0: none, every Fetch is a full one"),
            new Key("korvet.http.listener", "http://localhost:9644",
                    "the HTTP listener for the web console, the JSON admin API, /metrics and /health (none: no HTTP listener)"),
            new Key("korvet.http.auth", "",
                    "basic: HTTP basic authentication with the broker's SASL users (PLAIN and SCRAM), the ACLs applying to what"
                            + " each user sees; none: no authentication, allowed with SASL listeners only on a loopback address"
                            + " (default: basic when a listener uses SASL, else none)"),
            new Key("korvet.redis.uri", "", "the Redis to use, redis://host:port (default: an embedded Redis of the broker's own)"),
            new Key("korvet.redis.ssl.truststore.location", "",
                    "with rediss://, the CA certificates the Redis server's certificate is checked against (default: the JDK's)"),
            new Key("korvet.redis.ssl.truststore.password", "", "the password of korvet.redis.ssl.truststore.location"),
            new Key("korvet.redis.ssl.truststore.type", "PKCS12", "PKCS12, JKS or PEM"),
            new Key("korvet.namespace", "korvet", "prefix of every Redis key"),
            new Key("korvet.data.dir", "korvet-data",
                    "data directory of the embedded Redis, locked while the broker runs (when not set: the first of log.dirs)"),
            new Key("log.dirs", "", "Kafka's data directories: the first is the embedded Redis's when korvet.data.dir is not set"),
            new Key("log.dir", "", "used when log.dirs is not set"),
            new Key("korvet.embedded.redis.port", "0",
                    "loopback port of the embedded Redis (0: a free port); written to <korvet.data.dir>/redis.port"),
            new Key("korvet.cluster.id", "korvet-cluster", "cluster id reported to clients"),
            new Key("korvet.redis.timeout.ms", "5000", "Redis command timeout; a produce past it gets a retriable error"),
            new Key("korvet.producer.state.scan.entries", "10000",
                    "how many tail entries of a partition are read to rebuild idempotent-producer state"),
            new Key("korvet.stream.format", "batch",
                    "stream format of new topics: batch (an entry per record batch) or record (a readable entry per record)"));

    private ConfigKeys() {
    }

    /**
     * Whether a key's value is a secret, never shown (DescribeConfigs reports it sensitive with a null value, as Kafka
     * does for its password-type keys): passwords, JAAS lines, inline private keys, and the Redis URI.
     */
    public static boolean isSensitive(String key) {
        return key.endsWith(".password") || key.endsWith("sasl.jaas.config") || key.endsWith("ssl.keystore.key")
                || key.equals("korvet.redis.uri");
    }

    /** The keys with their defaults and meanings, one per line, as {@code --describe-config} prints them. */
    public static String describe() {
        int width = ALL.stream().mapToInt(k -> k.name().length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        for (Key k : ALL) {
            out.append(String.format("%-" + width + "s  %s%n", k.name(),
                    (k.defaultValue().isEmpty() ? "(no default)" : "default " + k.defaultValue()) + ": " + k.meaning()));
        }
        return out.toString();
    }
}
