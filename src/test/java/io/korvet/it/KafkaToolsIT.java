package io.korvet.it;

import static io.korvet.it.KafkaTools.run;
import static io.korvet.it.KafkaTools.runWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.it.KafkaTools.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Kafka's command-line tools from kafka-tools 4.3.1, run unchanged against Korvet. */
class KafkaToolsIT {

    static KorvetCluster cluster;
    static String bootstrap;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("group.initial.rebalance.delay.ms", "0"));
        bootstrap = cluster.bootstrap();
        KafkaTools.classpath();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static Result ok(Result r) {
        assertThat(r.exitCode()).as("exit code; output:\n%s", r.output()).isZero();
        return r;
    }

    @Test
    void kafkaFeaturesDescribesTheClustersFeaturesAndTurnsGroupProtocolsOffAndOn() throws Exception {
        String described = ok(run(KafkaTools.FEATURES, "--bootstrap-server", bootstrap, "describe")).output();
        for (String feature : java.util.List.of("group.version", "share.version", "transaction.version")) {
            assertThat(described).containsPattern("Feature: " + java.util.regex.Pattern.quote(feature)
                    + "\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 1\\s+FinalizedVersionLevel: 1\\s+Epoch: \\d+");
        }
        Result tv2 = run(KafkaTools.FEATURES, "--bootstrap-server", bootstrap, "upgrade", "--feature", "transaction.version=2");
        assertThat(tv2.exitCode()).isNotZero();
        assertThat(tv2.output()).contains("Could not upgrade transaction.version to 2").contains("only supports versions 0-1");

        assertThat(ok(run(KafkaTools.FEATURES, "--bootstrap-server", bootstrap, "downgrade", "--feature", "share.version=0",
                "--dry-run")).output()).contains("share.version can be downgraded to 0.");
        try (org.apache.kafka.clients.admin.Admin admin = cluster.admin()) {
            assertThat(admin.describeFeatures().featureMetadata().get().finalizedFeatures()).as("after a dry run").containsKey("share.version");
            try {
                assertThat(ok(run(KafkaTools.FEATURES, "--bootstrap-server", bootstrap, "downgrade", "--feature", "share.version=0",
                        "--feature", "group.version=0")).output()).contains("share.version was downgraded to 0.")
                        .contains("group.version was downgraded to 0.");
                assertThat(ok(run(KafkaTools.FEATURES, "--bootstrap-server", bootstrap, "describe")).output())
                        .containsPattern("Feature: share.version\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 1\\s+FinalizedVersionLevel: 0");
                Result wrongWay = run(KafkaTools.FEATURES, "--bootstrap-server", bootstrap, "downgrade", "--feature", "share.version=1");
                assertThat(wrongWay.exitCode()).isNotZero();
                assertThat(wrongWay.output()).contains("Can't downgrade to a newer version.");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.describeShareGroups(java.util.List.of("features-share"))
                                .all().get())
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.UnsupportedVersionException.class);
                try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(Map.of(
                        "bootstrap.servers", bootstrap, "group.id", "features-consumer", "group.protocol", "consumer",
                        "key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName(),
                        "value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName()))) {
                    consumer.subscribe(java.util.List.of("features-topic"));
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                        for (int i = 0; i < 30; i++) {
                            consumer.poll(java.time.Duration.ofMillis(500));
                        }
                    }).isInstanceOf(org.apache.kafka.common.errors.UnsupportedVersionException.class);
                }
            } finally {
                ok(run(KafkaTools.FEATURES, "--bootstrap-server", bootstrap, "upgrade", "--feature", "share.version=1",
                        "--feature", "group.version=1"));
            }
            Throwable after = org.assertj.core.api.Assertions.catchThrowable(() ->
                    admin.describeShareGroups(java.util.List.of("features-share")).all().get());
            assertThat(after == null ? null : after.getCause()).as("share groups on again")
                    .isNotInstanceOf(org.apache.kafka.common.errors.UnsupportedVersionException.class);
            var meta = admin.describeFeatures().featureMetadata().get();
            assertThat(meta.finalizedFeatures().get("share.version").maxVersionLevel()).isEqualTo((short) 1);
            assertThat(meta.finalizedFeaturesEpoch()).hasValue(2L);
        }
    }

    @Test
    void kafkaConfigsDescribesAndChangesTheBrokersLogLevels() throws Exception {
        String logger = "io.korvet.handler.DescribeConfigsHandler";
        String before = level(logger);
        String described = ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe", "--entity-type", "broker-loggers",
                "--entity-name", "0")).output();
        assertThat(described).contains("root=" + level(org.slf4j.Logger.ROOT_LOGGER_NAME)).contains(logger + "=" + before);
        try {
            ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "broker-loggers",
                    "--entity-name", "0", "--add-config", logger + "=DEBUG"));
            assertThat(level(logger)).isEqualTo("DEBUG");
            assertThat(ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe", "--entity-type", "broker-loggers",
                    "--entity-name", "0")).output()).contains(logger + "=DEBUG");
            Result bad = run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "broker-loggers",
                    "--entity-name", "0", "--add-config", logger + "=LOUD");
            assertThat(bad.exitCode()).isNotZero();
            assertThat(bad.output()).contains("Cannot set the log level of " + logger + " to LOUD as it is not a supported log level");
        } finally {
            ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "broker-loggers",
                    "--entity-name", "0", "--delete-config", logger));
        }
        assertThat(level(logger)).isEqualTo(before);
    }

    /** A logger's effective level in this JVM, where the test's broker runs. */
    private static String level(String logger) {
        return ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(logger)).getEffectiveLevel().toString();
    }

    static void produce(String topic, int count) {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    @Test
    void topicToolCreatesListsDescribesAltersAndDeletes() throws Exception {
        ok(run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--create", "--topic", "cli-topic",
                "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=86400000"));
        assertThat(ok(run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--list")).output()).contains("cli-topic");
        String described = ok(run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--describe", "--topic", "cli-topic")).output();
        assertThat(described).contains("PartitionCount: 3").contains("ReplicationFactor: 1")
                .contains("retention.ms=86400000").contains("Leader: 0");
        ok(run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--alter", "--topic", "cli-topic", "--partitions", "5"));
        assertThat(ok(run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--describe", "--topic", "cli-topic")).output())
                .contains("PartitionCount: 5");
        ok(run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--delete", "--topic", "cli-topic"));
        assertThat(ok(run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--list")).output()).doesNotContain("cli-topic");
        Result again = run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--create", "--topic", "cli-dup",
                "--partitions", "1", "--replication-factor", "1");
        ok(again);
        Result dup = run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap, "--create", "--topic", "cli-dup",
                "--partitions", "1", "--replication-factor", "1");
        assertThat(dup.exitCode()).isNotZero();
        assertThat(dup.output()).contains("already exists");
    }

    @Test
    void consoleProducerAndConsumerWithAGroupThenTheConsumerGroupsTool() throws Exception {
        cluster.createTopic("cli-console", 2);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            lines.append("key").append(i).append(':').append("line ").append(i).append('\n');
        }
        ok(runWithInput(lines.toString(), KafkaTools.CONSOLE_PRODUCER, "--bootstrap-server", bootstrap, "--topic", "cli-console",
                "--property", "parse.key=true", "--property", "key.separator=:"));
        String consumed = ok(run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap, "--topic", "cli-console",
                "--group", "cli-group", "--from-beginning", "--max-messages", "20",
                "--property", "print.key=true", "--property", "key.separator=:")).output();
        for (int i = 0; i < 20; i++) {
            assertThat(consumed).contains("key" + i + ":line " + i);
        }

        assertThat(ok(run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", bootstrap, "--list")).output()).contains("cli-group");
        produce("cli-console", 6);
        String described = ok(run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", bootstrap, "--describe", "--group", "cli-group")).output();
        assertThat(described).contains("LAG").contains("cli-console");
        long totalLag = described.lines().filter(l -> l.startsWith("cli-group"))
                .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[5])).sum();
        assertThat(totalLag).isEqualTo(6);

        String reset = ok(run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", bootstrap, "--group", "cli-group",
                "--reset-offsets", "--to-earliest", "--topic", "cli-console", "--execute")).output();
        assertThat(reset).contains("NEW-OFFSET");
        String afterReset = ok(run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", bootstrap, "--describe", "--group", "cli-group")).output();
        long lagAfter = afterReset.lines().filter(l -> l.startsWith("cli-group"))
                .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[5])).sum();
        assertThat(lagAfter).isEqualTo(26);

        assertThat(ok(run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", bootstrap, "--delete", "--group", "cli-group")).output())
                .contains("successful");
        assertThat(ok(run(KafkaTools.CONSUMER_GROUPS, "--bootstrap-server", bootstrap, "--list")).output()).doesNotContain("cli-group");
    }

    @Test
    void configsToolDescribesAndAlters() throws Exception {
        cluster.createTopic("cli-configs", 1);
        ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "topics",
                "--entity-name", "cli-configs", "--add-config", "retention.ms=3600000,cleanup.policy=compact"));
        String described = ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe", "--entity-type", "topics",
                "--entity-name", "cli-configs")).output();
        assertThat(described).contains("retention.ms=3600000").contains("cleanup.policy=compact");
        ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "topics",
                "--entity-name", "cli-configs", "--delete-config", "cleanup.policy"));
        assertThat(ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe", "--entity-type", "topics",
                "--entity-name", "cli-configs")).output()).doesNotContain("cleanup.policy=compact");
        Result bad = run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "topics",
                "--entity-name", "cli-configs", "--add-config", "retention.ms=soon");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe", "--entity-type", "brokers",
                "--entity-name", "0", "--all")).output()).contains("log.retention.bytes");
    }

    @Test
    void logDirsToolShowsEachPartitionsSizeInRedis() throws Exception {
        cluster.createTopic("cli-log-dirs", 2);
        produce("cli-log-dirs", 100);
        String described = ok(run(KafkaTools.LOG_DIRS, "--bootstrap-server", bootstrap, "--describe",
                "--topic-list", "cli-log-dirs")).output();
        // One JSON line: {"brokers":[{"broker":0,"logDirs":[{"logDir":"redis://... (namespace ...)","partitions":[...]}]}]}
        String json = described.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        assertThat(json).contains("\"broker\":0").contains("\"partition\":\"cli-log-dirs-0\"")
                .contains("\"partition\":\"cli-log-dirs-1\"").contains("\"isFuture\":false")
                .contains("(namespace " + cluster.namespace() + ")");
        java.util.regex.Matcher sizes = java.util.regex.Pattern.compile("\"size\":(\\d+)").matcher(json);
        int partitions = 0;
        while (sizes.find()) {
            assertThat(Long.parseLong(sizes.group(1))).as("the stream's bytes in Redis").isPositive();
            partitions++;
        }
        assertThat(partitions).isEqualTo(2);
    }

    @Test
    void getOffsetsAndDeleteRecords() throws Exception {
        cluster.createTopic("cli-offsets", 2);
        produce("cli-offsets", 10);
        String latest = ok(run(KafkaTools.GET_OFFSETS, "--bootstrap-server", bootstrap, "--topic", "cli-offsets")).output();
        assertThat(latest).contains("cli-offsets:0:5").contains("cli-offsets:1:5");

        Path json = Files.createTempFile("delete-records", ".json");
        Files.writeString(json, "{\"partitions\": [{\"topic\": \"cli-offsets\", \"partition\": 0, \"offset\": 3}], \"version\": 1}");
        assertThat(ok(run(KafkaTools.DELETE_RECORDS, "--bootstrap-server", bootstrap, "--offset-json-file", json.toString())).output())
                .contains("low_watermark: 3");
        Files.deleteIfExists(json);
        String earliest = ok(run(KafkaTools.GET_OFFSETS, "--bootstrap-server", bootstrap, "--topic", "cli-offsets", "--time", "-2")).output();
        assertThat(earliest).contains("cli-offsets:0:3").contains("cli-offsets:1:0");
    }

    @Test
    void leaderElectionFindsEveryLeaderAlreadyPreferred() throws Exception {
        cluster.createTopic("cli-elect", 2);
        for (String type : new String[] {"preferred", "unclean"}) {
            assertThat(ok(run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", bootstrap, "--election-type", type,
                    "--topic", "cli-elect", "--partition", "1")).output())
                    .contains("Valid replica already elected for partitions cli-elect-1");
        }
        Result all = ok(run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", bootstrap, "--election-type", "preferred",
                "--all-topic-partitions"));
        assertThat(all.output()).doesNotContain("Error").doesNotContain("Successfully completed");

        Path json = Files.createTempFile("election", ".json");
        Files.writeString(json, "{\"partitions\": [{\"topic\": \"cli-elect\", \"partition\": 0},"
                + " {\"topic\": \"cli-elect\", \"partition\": 7}, {\"topic\": \"cli-elect-none\", \"partition\": 0}]}");
        Result some = run(KafkaTools.LEADER_ELECTION, "--bootstrap-server", bootstrap, "--election-type", "preferred",
                "--path-to-json-file", json.toString());
        Files.deleteIfExists(json);
        assertThat(some.exitCode()).as(some.output()).isNotZero();
        assertThat(some.output()).contains("Valid replica already elected for partitions cli-elect-0")
                .contains("2 replica(s) could not be elected")
                .contains("for partition: cli-elect-7: org.apache.kafka.common.errors.UnknownTopicOrPartitionException")
                .contains("for partition: cli-elect-none-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException");
    }

    @Test
    void configResourcesAreListedForTheConfigsAndClientMetricsTools() throws Exception {
        cluster.createTopic("cli-listed", 1);
        // A group that has configs but no member and no offsets: only ListConfigResources knows it.
        ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "groups",
                "--entity-name", "cli-configured", "--add-config", "consumer.session.timeout.ms=50000"));
        assertThat(ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe", "--entity-type", "groups")).output())
                .contains("Dynamic configs for group cli-configured are:").contains("consumer.session.timeout.ms=50000");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            var all = admin.listConfigResources().all().get();
            assertThat(all).contains(new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.GROUP, "cli-configured"),
                    new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "cli-listed"),
                    new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.BROKER, "0"),
                    new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.BROKER_LOGGER, "0"));
            var groups = admin.listConfigResources(java.util.Set.of(org.apache.kafka.common.config.ConfigResource.Type.GROUP),
                    new org.apache.kafka.clients.admin.ListConfigResourcesOptions()).all().get();
            assertThat(groups).extracting(org.apache.kafka.common.config.ConfigResource::name).contains("cli-configured")
                    .doesNotContain("cli-listed");
        }
        // Unset, the group has no configs left and is no longer listed.
        ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--alter", "--entity-type", "groups",
                "--entity-name", "cli-configured", "--delete-config", "consumer.session.timeout.ms"));
        assertThat(ok(run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap, "--describe", "--entity-type", "groups")).output())
                .doesNotContain("cli-configured");
        // Korvet takes no client telemetry, so there is no client-metrics resource to list.
        Result metrics = ok(run(KafkaTools.CLIENT_METRICS, "--bootstrap-server", bootstrap, "--list"));
        assertThat(metrics.output()).doesNotContain("Error").doesNotContain("Exception");
    }

    @Test
    void reassignPartitionsToolFindsTheOneBrokersAssignmentComplete() throws Exception {
        cluster.createTopic("cli-reassign", 1);
        Path json = Files.createTempFile("reassign", ".json");
        Files.writeString(json, "{\"version\": 1, \"partitions\": [{\"topic\": \"cli-reassign\", \"partition\": 0, \"replicas\": [0]}]}");
        try {
            assertThat(ok(run(KafkaTools.REASSIGN, "--bootstrap-server", bootstrap, "--execute",
                    "--reassignment-json-file", json.toString())).output())
                    .contains("Successfully started partition reassignment for cli-reassign-0");
            assertThat(ok(run(KafkaTools.REASSIGN, "--bootstrap-server", bootstrap, "--verify",
                    "--reassignment-json-file", json.toString())).output())
                    .contains("Reassignment of partition cli-reassign-0 is completed");
        } finally {
            Files.deleteIfExists(json);
        }
    }
}
