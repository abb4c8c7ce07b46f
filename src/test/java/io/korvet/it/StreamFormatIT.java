package io.korvet.it;

import static io.korvet.it.KafkaTools.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two stream formats through real clients and tools: chosen per topic at creation (broker default {@code batch}),
 * reported with their source, never changed afterwards; what each stores in Redis; and a topic written in the
 * {@code record} layout by the previous release, whose registry record has no format, read and extended unchanged.
 */
class StreamFormatIT {

    private static final String FORMAT = "korvet.stream.format";

    static KorvetCluster cluster;
    static RedisClient redisClient;
    static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void start() throws Exception {
        // Both formats are checked here by name, whatever the suite's default.
        cluster = KorvetCluster.start(Map.of(FORMAT, "batch"));
        redisClient = RedisClient.create(cluster.redis().uri());
        redis = redisClient.connect();
        KafkaTools.classpath();
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
            redisClient.shutdown();
        }
        cluster.close();
    }

    private static String stream(String topic, int partition) {
        return cluster.namespace() + ":" + topic + ":" + partition;
    }

    private static ConfigEntry formatOf(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = cluster.sharedAdmin().describeConfigs(List.of(resource)).all().get().get(resource);
        return config.get(FORMAT);
    }

    private static List<String> produceAndConsume(String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of("linger.ms", "5"))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
            producer.flush();
        }
        return consumeAll(topic, count);
    }

    private static List<String> consumeAll(String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            for (int i = 0; i < 100 && values.size() < expected; i++) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.offset() + ":" + r.key() + "=" + r.value());
                }
            }
        }
        return values;
    }

    @Test
    void newTopicsTakeTheBrokerDefaultAndStoreOneEntryPerBatch() throws Exception {
        cluster.sharedAdmin().createTopics(List.of(new NewTopic("fmt-default", 1, (short) 1))).all().get();

        ConfigEntry entry = formatOf("fmt-default");
        assertThat(entry.value()).isEqualTo("batch");
        assertThat(entry.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        List<String> read = produceAndConsume("fmt-default", 50);
        assertThat(read).hasSize(50).first().isEqualTo("0:k0=v0");
        assertThat(read).last().isEqualTo("49:k49=v49");

        List<StreamMessage<String, String>> entries = redis.sync().xrange(stream("fmt-default", 0), Range.create("-", "+"));
        assertThat(entries.size()).isBetween(1, 49);
        StreamMessage<String, String> first = entries.get(0);
        assertThat(first.getBody()).containsKeys("base", "count", "maxts", "pid", "epoch", "seq", "flags", "data")
                .containsEntry("base", "0");
        long count = Long.parseLong(first.getBody().get("count"));
        assertThat(first.getId()).isEqualTo((count - 1) + "-1");
    }

    @Test
    void theRecordFormatIsChosenAtCreation() throws Exception {
        // Kafka's kafka-topics.sh checks --config names against Kafka's own list before it sends anything, so the
        // format is given through CreateTopics as any other client sends it (the README says so).
        cluster.sharedAdmin().createTopics(List.of(new NewTopic("fmt-record", 1, (short) 1).configs(Map.of(FORMAT, "record"))))
                .all().get();

        ConfigEntry entry = formatOf("fmt-record");
        assertThat(entry.value()).isEqualTo("record");
        assertThat(entry.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(produceAndConsume("fmt-record", 20)).hasSize(20).contains("7:k7=v7");
        List<StreamMessage<String, String>> entries = redis.sync().xrange(stream("fmt-record", 0), Range.create("7", "7"));
        assertThat(entries).singleElement().satisfies(e -> {
            assertThat(e.getId()).isEqualTo("7-1");
            assertThat(e.getBody()).containsEntry("key", "k7").containsEntry("value", "v7");
        });
    }

    @Test
    void anUnknownFormatIsRefusedAtCreation() {
        assertThatThrownBy(() -> cluster.sharedAdmin().createTopics(List.of(
                new NewTopic("fmt-bad", 1, (short) 1).configs(Map.of(FORMAT, "columnar")))).all().get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void aTopicsFormatCannotBeChanged() throws Exception {
        cluster.sharedAdmin().createTopics(List.of(new NewTopic("fmt-fixed", 1, (short) 1))).all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "fmt-fixed");

        Map<ConfigResource, Collection<AlterConfigOp>> change = Map.of(resource,
                List.of(new AlterConfigOp(new ConfigEntry(FORMAT, "record"), AlterConfigOp.OpType.SET)));
        assertThatThrownBy(() -> cluster.sharedAdmin().incrementalAlterConfigs(change).all().get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("fixed when it is created");
        KafkaTools.Result tool = run(KafkaTools.CONFIGS, "--bootstrap-server", cluster.bootstrap(), "--alter", "--entity-type", "topics",
                "--entity-name", "fmt-fixed", "--add-config", FORMAT + "=record");
        assertThat(tool.exitCode()).isNotZero();
        assertThat(tool.output()).contains("fixed when it is created");
        // Setting it to what it is, or changing another config, is fine.
        cluster.sharedAdmin().incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)))).all().get();
        assertThat(formatOf("fmt-fixed").value()).isEqualTo("batch");
    }

    @Test
    void timestampsAndDeleteRecordsLookInsideABatch() throws Exception {
        cluster.sharedAdmin().createTopics(List.of(new NewTopic("fmt-inside", 1, (short) 1))).all().get();
        long t0 = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of("linger.ms", "1000", "batch.size", "1000000"))) {
            for (int i = 0; i < 10; i++) {
                // Timestamps 0, 10, ..., 90 ms after t0, with offset 5 the largest.
                long ts = i == 5 ? t0 + 500 : t0 + 10L * i;
                producer.send(new ProducerRecord<>("fmt-inside", 0, ts, "k" + i, "v" + i));
            }
            producer.flush();
        }
        assertThat(redis.sync().xlen(stream("fmt-inside", 0))).as("one batch").isEqualTo(1);
        TopicPartition tp = new TopicPartition("fmt-inside", 0);

        var byTime = cluster.sharedAdmin().listOffsets(Map.of(tp, OffsetSpec.forTimestamp(t0 + 25))).all().get().get(tp);
        assertThat(byTime.offset()).isEqualTo(3);
        assertThat(byTime.timestamp()).isEqualTo(t0 + 30);
        var max = cluster.sharedAdmin().listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).all().get().get(tp);
        assertThat(max.offset()).isEqualTo(5);
        assertThat(max.timestamp()).isEqualTo(t0 + 500);

        cluster.sharedAdmin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).all().get();
        var earliest = cluster.sharedAdmin().listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp);
        assertThat(earliest.offset()).isEqualTo(4);
        // The batch is still there (offsets 0 to 9), but nothing below the log start offset is returned or found.
        assertThat(consumeAll("fmt-inside", 6)).hasSize(6).first().isEqualTo("4:k4=v4");
        var early = cluster.sharedAdmin().listOffsets(Map.of(tp, OffsetSpec.forTimestamp(t0))).all().get().get(tp);
        assertThat(early.offset()).isEqualTo(4);
        KafkaTools.Result shell = KafkaToolsIT.ok(run(KafkaTools.GET_OFFSETS, "--bootstrap-server", cluster.bootstrap(),
                "--topic", "fmt-inside", "--time", "-2"));
        assertThat(shell.output()).contains("fmt-inside:0:4");
    }

    @Test
    void aRecordTopicWrittenByThePreviousReleaseIsReadAndExtended() throws Exception {
        // What the previous release wrote: a registry record with no format line, and one entry per record with
        // the batch header on the batch's first record (see the README's layout).
        cluster.stopBroker();
        RedisCommands<String, String> r = redis.sync();
        r.hset(cluster.namespace() + ":topics", "legacy", "id=" + Uuid.randomUuid() + "\npartitions=1\n");
        String key = stream("legacy", 0);
        long ts = System.currentTimeMillis() - 1_000;
        for (int i = 0; i < 3; i++) {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("ts", Long.toString(ts + i));
            fields.put("key", "old" + i);
            fields.put("value", "before" + i);
            if (i == 0) {
                fields.put("batch", "-1,-1,-1,3,0");
            }
            r.xadd(key, new XAddArgs().id(i + "-1"), fields);
        }
        cluster.startBroker();

        assertThat(formatOf("legacy").value()).isEqualTo("record");
        assertThat(consumeAll("legacy", 3)).containsExactly("0:old0=before0", "1:old1=before1", "2:old2=before2");
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            producer.send(new ProducerRecord<>("legacy", 0, "new", "after")).get();
        }
        assertThat(consumeAll("legacy", 4)).hasSize(4).last().isEqualTo("3:new=after");
        assertThat(r.xrange(key, Range.create("3", "3"))).singleElement()
                .satisfies(e -> assertThat(e.getBody()).containsEntry("key", "new").containsEntry("value", "after"));
    }
}
