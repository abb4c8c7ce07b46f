package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.korvet.Broker;
import io.korvet.config.KorvetConfig;
import io.korvet.storage.redis.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ACLs with Kafka's StandardAuthorizer settings, managed with Kafka's own kafka-acls.sh and enforced on real
 * clients authenticated with SASL/PLAIN: a super user, users without ACLs, literal and prefixed ACLs, a deny
 * overriding an allow, changes taking effect on open connections and on a second broker.
 */
class AclIT {

    private static KorvetCluster cluster;
    private static int port;
    private static Path adminProperties;

    @BeforeAll
    static void start() throws Exception {
        port = RedisServerProcess.freePort();
        Map<String, String> s = new HashMap<>();
        s.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
        s.put("sasl.enabled.mechanisms", "PLAIN");
        s.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
                + " required user_admin=\"admin-secret\" user_alice=\"alice-secret\" user_bob=\"bob-secret\";");
        s.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        s.put("super.users", "User:admin");
        s.put("korvet.registry.poll.ms", "50");
        cluster = KorvetCluster.start(s);
        adminProperties = Files.createTempFile("admin", ".properties");
        Files.writeString(adminProperties, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config="
                + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\";\n");
        try (Admin admin = admin("admin")) {
            admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1), new NewTopic("logs-public", 1, (short) 1),
                    new NewTopic("logs-secret", 1, (short) 1), new NewTopic("payroll", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> p = producer("admin", 9092)) {
            for (String t : List.of("logs-public", "logs-secret")) {
                p.send(new ProducerRecord<>(t, "k", "v")).get();
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        Files.deleteIfExists(adminProperties);
    }

    static Map<String, Object> as(String user) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        c.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        c.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + user + "-secret\";");
        return c;
    }

    static Admin admin(String user) {
        return admin(user, port);
    }

    static Admin admin(String user, int brokerPort) {
        Map<String, Object> c = as(user);
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + brokerPort);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(c);
    }

    static KafkaProducer<String, String> producer(String user, int ignored) {
        Properties p = Clients.producer("127.0.0.1:" + port, StringSerializer.class);
        p.putAll(as(user));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return new KafkaProducer<>(p);
    }

    static KafkaConsumer<String, String> consumer(String user, String group) {
        Properties c = Clients.readingFromTheStart("127.0.0.1:" + port, StringDeserializer.class);
        c.putAll(as(user));
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(c);
    }

    static KafkaTools.Result acls(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        all[0] = "--bootstrap-server";
        all[1] = "127.0.0.1:" + port;
        all[2] = "--command-config";
        all[3] = adminProperties.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        KafkaTools.Result r = KafkaTools.run("org.apache.kafka.tools.AclCommand", all);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r;
    }

    static Throwable cause(Throwable t) {
        return t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
    }

    @Test
    void aUserWithoutAclsSeesAndWritesNothingUntilKafkaAclsGrantsItOnTheOpenConnection() throws Exception {
        try (Admin alice = admin("alice")) {
            assertThat(alice.listTopics().names().get()).isEmpty();
        }
        try (Admin alice = admin("alice")) {
            try (KafkaProducer<String, String> producer = producer("alice", 0)) {
                // Alice may not even see the topic's metadata.
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("orders", "k", "v")).get())
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            acls("--add", "--allow-principal", "User:alice", "--producer", "--topic", "orders");
            // The open connection sees the new ACL, without reconnecting.
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.listTopics().names().get().contains("orders"));
        }
        try (KafkaProducer<String, String> producer = producer("alice", 0)) {
            assertThat(producer.send(new ProducerRecord<>("orders", "k", "v")).get().offset()).isGreaterThanOrEqualTo(0);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("payroll", "k", "v")).get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (Admin alice = admin("alice")) {
            assertThat(alice.listTopics().names().get()).containsExactly("orders");
            var described = alice.describeTopics(List.of("orders"), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .allTopicNames().get().get("orders");
            assertThat(described.authorizedOperations())
                    .containsExactlyInAnyOrder(AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE);
            assertThatThrownBy(() -> alice.describeTopics(List.of("payroll")).allTopicNames().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> alice.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "payroll",
                    PatternType.LITERAL), new AccessControlEntry("User:alice", "*", AclOperation.ALL, AclPermissionType.ALLOW))))
                    .all().get()).hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> alice.describeLogDirs(List.of(0)).allDescriptions().get())
                    .as("DescribeLogDirs needs DESCRIBE on the cluster").hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> alice.electLeaders(org.apache.kafka.common.ElectionType.PREFERRED,
                    java.util.Set.of(new org.apache.kafka.common.TopicPartition("orders", 0))).all().get())
                    .as("ElectLeaders needs ALTER on the cluster").hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> alice.listConfigResources().all().get())
                    .as("ListConfigResources needs DESCRIBE_CONFIGS on the cluster").hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> alice.alterClientQuotas(List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration(
                    new org.apache.kafka.common.quota.ClientQuotaEntity(Map.of("user", "alice")),
                    List.of(new org.apache.kafka.common.quota.ClientQuotaAlteration.Op("producer_byte_rate", 1e9))))).all().get())
                    .as("AlterClientQuotas needs ALTER_CONFIGS on the cluster").hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> alice.alterPartitionReassignments(Map.of(new org.apache.kafka.common.TopicPartition("orders", 0),
                    java.util.Optional.of(new org.apache.kafka.clients.admin.NewPartitionReassignment(List.of(0))))).all().get())
                    .as("AlterPartitionReassignments needs ALTER on the cluster").hasCauseInstanceOf(ClusterAuthorizationException.class);
        }
        String listed = acls("--list", "--topic", "orders").output();
        assertThat(listed).contains("User:alice").contains("WRITE").contains("DESCRIBE");
    }

    @Test
    void aPrefixedAllowAndADenyThatOverridesIt() throws Exception {
        acls("--add", "--allow-principal", "User:bob", "--operation", "Read", "--operation", "Describe", "--topic", "logs-",
                "--resource-pattern-type", "prefixed");
        acls("--add", "--deny-principal", "User:bob", "--operation", "Read", "--topic", "logs-secret");
        acls("--add", "--allow-principal", "User:bob", "--operation", "Read", "--group", "bob-group");
        try (KafkaConsumer<String, String> bob = consumer("bob", "bob-group")) {
            bob.subscribe(List.of("logs-public"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !bob.poll(Duration.ofMillis(200)).isEmpty());
        }
        try (KafkaConsumer<String, String> bob = consumer("bob", "bob-group")) {
            bob.assign(List.of(new org.apache.kafka.common.TopicPartition("logs-secret", 0)));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    bob.poll(Duration.ofMillis(200));
                }
            }).isInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaConsumer<String, String> bob = consumer("bob", "not-bobs-group")) {
            bob.subscribe(List.of("logs-public"));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    bob.poll(Duration.ofMillis(200));
                }
            }).isInstanceOf(GroupAuthorizationException.class);
        }
        acls("--remove", "--force", "--deny-principal", "User:bob", "--operation", "Read", "--topic", "logs-secret");
        try (KafkaConsumer<String, String> bob = consumer("bob", null)) {
            bob.assign(List.of(new org.apache.kafka.common.TopicPartition("logs-secret", 0)));
            await().atMost(Duration.ofSeconds(30)).until(() -> !bob.poll(Duration.ofMillis(200)).isEmpty());
        }
    }

    @Test
    void anAclAddedOnOneBrokerIsEnforcedByAnother() throws Exception {
        Map<String, String> second = cluster.settings();
        int secondPort = RedisServerProcess.freePort();
        second.put("node.id", "1");
        second.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + secondPort);
        try (Broker other = new Broker(KorvetConfig.fromMap(second)).start(); Admin viaOther = admin("alice", secondPort)) {
            assertThat(viaOther.listTopics().names().get()).doesNotContain("payroll");
            try (Admin admin = admin("admin")) {
                admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "payroll", PatternType.LITERAL),
                        new AccessControlEntry("User:alice", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW)))).all().get();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> viaOther.listTopics().names().get().contains("payroll"));
            assertThatThrownBy(() -> viaOther.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);
        }
    }

    @Test
    void aShareConsumerNeedsReadOnItsGroupAndItsTopic() throws Exception {
        List<AclBinding> granted = List.of(
                new AclBinding(new ResourcePattern(ResourceType.GROUP, "alice-share", PatternType.LITERAL),
                        new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW)),
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, "logs-public", PatternType.LITERAL),
                        new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW)));
        try (Admin admin = admin("admin")) {
            admin.createAcls(granted).all().get();
            admin.incrementalAlterConfigs(Map.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.GROUP, "alice-share"), List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("share.auto.offset.reset", "earliest"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
        try (var alice = shareConsumer("alice", "alice-share")) {
            alice.subscribe(List.of("logs-public"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !alice.poll(Duration.ofMillis(200)).isEmpty());
        }
        try (var alice = shareConsumer("alice", "not-alices-share")) {
            alice.subscribe(List.of("logs-public"));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    alice.poll(Duration.ofMillis(200));
                }
            }).isInstanceOf(org.apache.kafka.common.errors.GroupAuthorizationException.class);
        } finally {
            // The other tests expect alice without ACLs.
            try (Admin admin = admin("admin"); Admin alice = admin("alice")) {
                admin.deleteAcls(granted.stream().map(AclBinding::toFilter).toList()).all().get();
                await().atMost(Duration.ofSeconds(10)).until(() -> !alice.listTopics().names().get().contains("logs-public"));
            }
        }
    }

    static org.apache.kafka.clients.consumer.KafkaShareConsumer<String, String> shareConsumer(String user, String group) {
        Map<String, Object> c = as(user);
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return new org.apache.kafka.clients.consumer.KafkaShareConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    }
}
