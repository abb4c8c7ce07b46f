package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Admin client's topic and config operations against Korvet: DeleteTopics, CreatePartitions,
 * DescribeConfigs, IncrementalAlterConfigs, DescribeCluster, DescribeTopicPartitions, DeleteRecords and
 * OffsetForLeaderEpoch, with the errors Kafka gives and the Redis keys checked directly.
 */
class AdminIT {

    /** Set statically, so that sources and synonyms can be checked against a known broker setting. */
    static final String BROKER_RETENTION_MS = "86400000";

    static AdminTestSupport support;
    static KorvetCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        support = AdminTestSupport.start(Map.of("log.retention.ms", BROKER_RETENTION_MS));
        cluster = support.cluster;
        admin = support.admin;
    }

    @AfterAll
    static void stop() {
        support.close();
    }

    static void produce(String topic, int partition, int count) {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    static Throwable cause(Throwable e) {
        return e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    }

    static Map<String, ConfigEntry> describe(ConfigResource resource) throws Exception {
        Config config = admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get().get(resource);
        return config.entries().stream().collect(Collectors.toMap(ConfigEntry::name, Function.identity()));
    }

    static List<String> synonyms(ConfigEntry entry) {
        return entry.synonyms().stream().map(s -> s.source() + ":" + s.name() + "=" + s.value()).toList();
    }

    static void alter(ConfigResource resource, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(ops))).all().get();
    }

    @Test
    void deletedTopicLeavesNoKeysAndItsNameStartsAfreshWithANewId() throws Exception {
        admin.createTopics(List.of(new NewTopic("doomed", 3, (short) 1))).all().get();
        for (int p = 0; p < 3; p++) {
            produce("doomed", p, 5);
        }
        Uuid firstId = admin.describeTopics(List.of("doomed")).allTopicNames().get().get("doomed").topicId();
        assertThat(RedisProbe.records(support.redis(), support.streamKey("doomed", 2))).isEqualTo(5);

        admin.deleteTopics(List.of("doomed")).all().get();

        assertThat(admin.listTopics().names().get()).doesNotContain("doomed");
        for (int p = 0; p < 3; p++) {
            assertThat(support.redis().exists(support.streamKey("doomed", p))).as("stream of partition " + p).isZero();
        }
        assertThat(support.redis().hexists(support.registryKey("topics"), "doomed")).isFalse();
        assertThatThrownBy(() -> admin.describeTopics(List.of("doomed")).allTopicNames().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(UnknownTopicOrPartitionException.class));

        admin.createTopics(List.of(new NewTopic("doomed", 2, (short) 1))).all().get();
        TopicDescription again = admin.describeTopics(List.of("doomed")).allTopicNames().get().get("doomed");
        assertThat(again.topicId()).isNotEqualTo(firstId);
        assertThat(again.partitions()).hasSize(2);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("doomed", 0, "k", "reborn")).get().offset()).isZero();
        }
        TopicPartition p0 = new TopicPartition("doomed", 0);
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            assertThat(consumer.beginningOffsets(List.of(p0)).get(p0)).isZero();
            assertThat(consumer.endOffsets(List.of(p0)).get(p0)).isEqualTo(1);
            consumer.assign(List.of(p0));
            consumer.seekToBeginning(List.of(p0));
            List<ConsumerRecord<String, String>> records = AdminTestSupport.poll(consumer, 1);
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("reborn");
        }
    }

    @Test
    void aDeletionInterruptedByAStopIsFinishedWhenTheBrokerStartsAgain() throws Exception {
        admin.createTopics(List.of(new NewTopic("half-deleted", 2, (short) 1))).all().get();
        produce("half-deleted", 1, 4);
        cluster.stopBroker();
        // What a broker leaves when it stops between marking the topic and removing its streams.
        String record = support.redis().hget(support.registryKey("topics"), "half-deleted");
        support.redis().hset(support.registryKey("topics"), "half-deleted", record + "deleting=true\n");
        cluster.startBroker();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(support.redis().hexists(support.registryKey("topics"), "half-deleted")).isFalse();
            assertThat(support.redis().exists(support.streamKey("half-deleted", 1))).isZero();
        });
        assertThat(admin.listTopics().names().get()).doesNotContain("half-deleted");
        admin.createTopics(List.of(new NewTopic("half-deleted", 1, (short) 1))).all().get();
    }

    @Test
    void deleteTopicsByIdAndTheErrorsForUnknownTopics() throws Exception {
        admin.createTopics(List.of(new NewTopic("by-id", 1, (short) 1))).all().get();
        Uuid id = admin.describeTopics(List.of("by-id")).allTopicNames().get().get("by-id").topicId();

        admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("by-id");

        assertThatThrownBy(() -> admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(UnknownTopicIdException.class));
        assertThatThrownBy(() -> admin.deleteTopics(List.of("never-was")).all().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(UnknownTopicOrPartitionException.class));
    }

    @Test
    void createPartitionsGrowsATopicWhoseNewPartitionsStartEmpty() throws Exception {
        admin.createTopics(List.of(new NewTopic("growing", 1, (short) 1))).all().get();
        produce("growing", 0, 3);

        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(4)), new CreatePartitionsOptions().validateOnly(true)).all().get();
        assertThat(admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing").partitions()).hasSize(1);

        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(4))).all().get();

        TopicDescription grown = admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing");
        assertThat(grown.partitions()).hasSize(4);
        assertThat(grown.partitions().get(3).leader().id()).isZero();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("growing", 3, "k", "new")).get().offset()).isZero();
            assertThat(producer.send(new ProducerRecord<>("growing", 0, "k", "old")).get().offset()).isEqualTo(3);
        }

        assertThatThrownBy(() -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(2))).all().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(InvalidPartitionsException.class)
                        .hasMessageContaining("currently has 4 partition(s); 2 would not be an increase"));
        assertThatThrownBy(() -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(4))).all().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(InvalidPartitionsException.class)
                        .hasMessageContaining("already has 4 partition(s)"));
        assertThatThrownBy(() -> admin.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(2))).all().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(UnknownTopicOrPartitionException.class));
        assertThat(support.redis().hget(support.registryKey("topics"), "growing")).contains("partitions=4");
    }

    @Test
    void topicConfigsReportSourcesAndSynonymsAsKafkaDoes() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 1, (short) 1).configs(Map.of("retention.bytes", "5000000")))).all().get();

        Map<String, ConfigEntry> configs = describe(new ConfigResource(ConfigResource.Type.TOPIC, "described"));

        ConfigEntry bytes = configs.get("retention.bytes");
        assertThat(bytes.value()).isEqualTo("5000000");
        assertThat(bytes.source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(synonyms(bytes)).containsExactly("DYNAMIC_TOPIC_CONFIG:retention.bytes=5000000",
                "DEFAULT_CONFIG:log.retention.bytes=-1");
        ConfigEntry ms = configs.get("retention.ms");
        assertThat(ms.value()).isEqualTo(BROKER_RETENTION_MS);
        assertThat(ms.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(synonyms(ms)).containsExactly("STATIC_BROKER_CONFIG:log.retention.ms=" + BROKER_RETENTION_MS,
                "DEFAULT_CONFIG:log.retention.hours=168");
        ConfigEntry segment = configs.get("segment.bytes");
        assertThat(segment.value()).isEqualTo("1073741824");
        assertThat(segment.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(synonyms(segment)).containsExactly("DEFAULT_CONFIG:log.segment.bytes=1073741824");
        assertThat(configs.get("cleanup.policy").type()).isEqualTo(ConfigEntry.ConfigType.LIST);
        assertThat(configs).containsKeys("max.message.bytes", "message.timestamp.type", "min.insync.replicas", "compression.type");

        assertThatThrownBy(() -> describe(new ConfigResource(ConfigResource.Type.TOPIC, "not-there")))
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(UnknownTopicOrPartitionException.class));
    }

    @Test
    void brokerConfigsReportStaticAndDefaultSources() throws Exception {
        Map<String, ConfigEntry> configs = describe(new ConfigResource(ConfigResource.Type.BROKER, "0"));

        ConfigEntry ms = configs.get("log.retention.ms");
        assertThat(ms.value()).isEqualTo(BROKER_RETENTION_MS);
        assertThat(ms.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(ms.isReadOnly()).isFalse();
        assertThat(synonyms(ms)).containsExactly("STATIC_BROKER_CONFIG:log.retention.ms=" + BROKER_RETENTION_MS,
                "DEFAULT_CONFIG:log.retention.hours=168");
        ConfigEntry hours = configs.get("log.retention.hours");
        assertThat(hours.value()).isEqualTo("168");
        assertThat(hours.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(configs.get("log.retention.bytes").value()).isEqualTo("-1");
        assertThat(configs.get("log.retention.check.interval.ms").value()).isEqualTo("300000");
        assertThat(configs.get("num.partitions").isReadOnly()).isTrue();
        assertThat(configs.get("listeners").source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(configs.get("korvet.redis.uri").isSensitive()).isTrue();
        assertThat(configs.get("korvet.redis.uri").value()).isNull();

        // The Admin client sends a broker resource to that broker; another id or a name that is none, sent
        // here, is answered as Kafka answers it.
        DescribeConfigsRequestData request = new DescribeConfigsRequestData();
        for (String name : List.of("7", "x")) {
            request.resources().add(new DescribeConfigsResource().setResourceType(ConfigResource.Type.BROKER.id()).setResourceName(name));
        }
        try (RawKafkaConnection raw = RawKafkaConnection.open(cluster.port())) {
            DescribeConfigsResponse response = raw.call(new DescribeConfigsRequest.Builder(request).build((short) 4));
            assertThat(response.data().results()).extracting(r -> r.errorCode())
                    .containsExactly(Errors.INVALID_REQUEST.code(), Errors.INVALID_REQUEST.code());
            assertThat(response.data().results().get(1).errorMessage()).contains("Broker id must be an integer");
        }
    }

    @Test
    void incrementalAlterConfigsOnATopicIsValidatedAndStoredInTheRegistry() throws Exception {
        admin.createTopics(List.of(new NewTopic("tuned", 1, (short) 1))).all().get();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "tuned");

        alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND));

        Map<String, ConfigEntry> configs = describe(topic);
        assertThat(configs.get("retention.ms").value()).isEqualTo("3600000");
        assertThat(configs.get("retention.ms").source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(configs.get("cleanup.policy").value()).isEqualTo("delete,compact");
        assertThat(support.redis().hget(support.registryKey("topics"), "tuned"))
                .contains("config.retention.ms=3600000").contains("config.cleanup.policy=delete,compact");

        alter(topic, new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT),
                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE));
        configs = describe(topic);
        assertThat(configs.get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(configs.get("retention.ms").value()).isEqualTo(BROKER_RETENTION_MS);

        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("retention.ms"));
        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("retention.weeks", "2"), AlterConfigOp.OpType.SET)))
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("retention.weeks"));
        assertThatThrownBy(() -> alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", "5"), AlterConfigOp.OpType.APPEND)))
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(InvalidConfigurationException.class));
        assertThatThrownBy(() -> alter(new ConfigResource(ConfigResource.Type.TOPIC, "no-such-topic"),
                new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET)))
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(UnknownTopicOrPartitionException.class));

        admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET))),
                new AlterConfigsOptions().validateOnly(true)).all().get();
        assertThat(describe(topic).get("retention.ms").value()).isEqualTo(BROKER_RETENTION_MS);
    }

    @Test
    void dynamicBrokerConfigsLayerOverStaticOnesAndOthersAreRefused() throws Exception {
        ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
        try {
            alter(clusterDefault, new AlterConfigOp(new ConfigEntry("log.retention.ms", "7200000"), AlterConfigOp.OpType.SET));
            alter(broker, new AlterConfigOp(new ConfigEntry("log.retention.ms", "3600000"), AlterConfigOp.OpType.SET));

            ConfigEntry ms = describe(broker).get("log.retention.ms");
            assertThat(ms.value()).isEqualTo("3600000");
            assertThat(ms.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
            assertThat(synonyms(ms)).containsExactly("DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000",
                    "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000",
                    "STATIC_BROKER_CONFIG:log.retention.ms=" + BROKER_RETENTION_MS, "DEFAULT_CONFIG:log.retention.hours=168");
            assertThat(describe(clusterDefault).get("log.retention.ms").source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThat(support.redis().hget(support.registryKey("broker-configs"), "0")).contains("log.retention.ms=3600000");

            admin.createTopics(List.of(new NewTopic("layered", 1, (short) 1))).all().get();
            ConfigEntry topicMs = describe(new ConfigResource(ConfigResource.Type.TOPIC, "layered")).get("retention.ms");
            assertThat(topicMs.value()).isEqualTo("3600000");
            assertThat(topicMs.source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);

            assertThatThrownBy(() -> alter(broker, new AlterConfigOp(new ConfigEntry("num.partitions", "3"), AlterConfigOp.OpType.SET)))
                    .satisfies(e -> assertThat(cause(e)).isInstanceOf(InvalidRequestException.class)
                            .hasMessageContaining("Cannot update these configs dynamically: [num.partitions]"));
            assertThatThrownBy(() -> alter(broker, new AlterConfigOp(new ConfigEntry("log.retention.bytes", "lots"), AlterConfigOp.OpType.SET)))
                    .satisfies(e -> assertThat(cause(e)).isInstanceOf(InvalidRequestException.class));
        } finally {
            alter(broker, new AlterConfigOp(new ConfigEntry("log.retention.ms", null), AlterConfigOp.OpType.DELETE));
            alter(clusterDefault, new AlterConfigOp(new ConfigEntry("log.retention.ms", null), AlterConfigOp.OpType.DELETE));
        }
        assertThat(describe(broker).get("log.retention.ms").source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(support.redis().hexists(support.registryKey("broker-configs"), "0")).isFalse();
    }

    @Test
    void dynamicTopicDefaultsApplyAtOnceToTopicsWithoutTheirOwn() throws Exception {
        ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        admin.createTopics(List.of(new NewTopic("follows-broker", 1, (short) 1),
                new NewTopic("own-limit", 1, (short) 1).configs(Map.of("max.message.bytes", "1000000")))).all().get();
        String big = "x".repeat(2000);
        try {
            alter(clusterDefault, new AlterConfigOp(new ConfigEntry("message.max.bytes", " 1000 "), AlterConfigOp.OpType.SET));
            alter(clusterDefault, new AlterConfigOp(new ConfigEntry("compression.type", "lz4"), AlterConfigOp.OpType.SET));
            ConfigEntry limit = describe(new ConfigResource(ConfigResource.Type.TOPIC, "follows-broker")).get("max.message.bytes");
            assertThat(limit.value()).isEqualTo("1000");
            assertThat(limit.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThat(describe(new ConfigResource(ConfigResource.Type.TOPIC, "follows-broker")).get("compression.type").value())
                    .isEqualTo("lz4");
            try (KafkaProducer<String, String> producer = cluster.producer(Map.of("retries", 0))) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("follows-broker", big)).get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.RecordTooLargeException.class);
                assertThat(producer.send(new ProducerRecord<>("own-limit", big)).get(30, TimeUnit.SECONDS).offset()).isZero();
            }
        } finally {
            alter(clusterDefault, new AlterConfigOp(new ConfigEntry("message.max.bytes", null), AlterConfigOp.OpType.DELETE));
            alter(clusterDefault, new AlterConfigOp(new ConfigEntry("compression.type", null), AlterConfigOp.OpType.DELETE));
        }
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("follows-broker", big)).get(30, TimeUnit.SECONDS).offset()).isZero();
        }
    }

    @Test
    void describeClusterNamesThisBroker() throws Exception {
        var cluster = admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true));

        assertThat(cluster.clusterId().get()).isEqualTo("korvet-cluster");
        assertThat(cluster.nodes().get()).singleElement().satisfies(n -> {
            assertThat(n.id()).isZero();
            assertThat(n.port()).isEqualTo(AdminIT.cluster.port());
        });
        assertThat(cluster.controller().get().id()).isZero();
        assertThat(cluster.authorizedOperations().get()).contains(AclOperation.DESCRIBE, AclOperation.ALTER_CONFIGS);
    }

    @Test
    void describeTopicsPagesThroughPartitions() throws Exception {
        admin.createTopics(List.of(new NewTopic("wide", 5, (short) 1), new NewTopic("wide2", 2, (short) 1))).all().get();

        Map<String, TopicDescription> described = admin.describeTopics(List.of("wide", "wide2"),
                new DescribeTopicsOptions().partitionSizeLimitPerResponse(2)).allTopicNames().get();

        assertThat(described.get("wide").partitions()).extracting(p -> p.partition()).containsExactly(0, 1, 2, 3, 4);
        assertThat(described.get("wide2").partitions()).hasSize(2);
        assertThat(described.get("wide").partitions().get(4).isr()).extracting(n -> n.id()).containsExactly(0);
        assertThatThrownBy(() -> admin.describeTopics(List.of("wide", "nope")).allTopicNames().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(UnknownTopicOrPartitionException.class));
    }

    @Test
    void deleteRecordsMovesTheLogStartOffsetAndConsumersFollow() throws Exception {
        admin.createTopics(List.of(new NewTopic("trimmed", 1, (short) 1))).all().get();
        produce("trimmed", 0, 10);
        TopicPartition tp = new TopicPartition("trimmed", 0);

        long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp).get().lowWatermark();

        assertThat(low).isEqualTo(4);
        assertThat(RedisProbe.records(support.redis(), support.streamKey("trimmed", 0))).isEqualTo(6);
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isEqualTo(4);
            consumer.assign(List.of(tp));
            consumer.seek(tp, 1);
            List<ConsumerRecord<String, String>> records = AdminTestSupport.poll(consumer, 6);
            assertThat(records.get(0).offset()).isEqualTo(4);
            assertThat(records.get(0).value()).isEqualTo("v4");
        }
        try (KafkaConsumer<String, String> strict = cluster.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            strict.assign(List.of(tp));
            strict.seek(tp, 2);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    strict.poll(Duration.ofMillis(100));
                }
            }).isInstanceOf(org.apache.kafka.clients.consumer.OffsetOutOfRangeException.class);
        }

        assertThat(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(2))).lowWatermarks().get(tp).get().lowWatermark())
                .as("deleting below the log start changes nothing").isEqualTo(4);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).all().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(OffsetOutOfRangeException.class));
        assertThat(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(tp).get().lowWatermark())
                .as("-1 deletes up to the high watermark").isEqualTo(10);
        assertThat(RedisProbe.records(support.redis(), support.streamKey("trimmed", 0))).isZero();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("trimmed", 0, "k", "after")).get().offset()).isEqualTo(10);
        }

        admin.createTopics(List.of(new NewTopic("compacted", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        produce("compacted", 0, 2);
        TopicPartition compacted = new TopicPartition("compacted", 0);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(compacted, RecordsToDelete.beforeOffset(1))).all().get())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(PolicyViolationException.class));
    }

    @Test
    void offsetForLeaderEpochAnswersTheHighWatermarkForEpochZero() throws Exception {
        admin.createTopics(List.of(new NewTopic("epochs", 1, (short) 1))).all().get();
        produce("epochs", 0, 3);

        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        OffsetForLeaderTopic topic = new OffsetForLeaderTopic().setTopic("epochs");
        topic.partitions().add(new OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0).setCurrentLeaderEpoch(0));
        topic.partitions().add(new OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(1).setCurrentLeaderEpoch(-1));
        topic.partitions().add(new OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0).setCurrentLeaderEpoch(1));
        topics.add(topic);
        OffsetForLeaderTopic unknown = new OffsetForLeaderTopic().setTopic("no-epochs");
        unknown.partitions().add(new OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0));
        topics.add(unknown);

        try (RawKafkaConnection raw = RawKafkaConnection.open(cluster.port())) {
            OffsetsForLeaderEpochResponse response = raw.call(OffsetsForLeaderEpochRequest.Builder.forConsumer(topics).build((short) 4));
            List<EpochEndOffset> answers = new ArrayList<>();
            response.data().topics().forEach(t -> answers.addAll(t.partitions()));
            assertThat(answers).extracting(EpochEndOffset::errorCode).containsExactly(Errors.NONE.code(), Errors.NONE.code(),
                    Errors.UNKNOWN_LEADER_EPOCH.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(answers.get(0).leaderEpoch()).isZero();
            assertThat(answers.get(0).endOffset()).isEqualTo(3);
            assertThat(answers.get(1).leaderEpoch()).isEqualTo(-1);
            assertThat(answers.get(1).endOffset()).isEqualTo(-1);
        }
    }
}
