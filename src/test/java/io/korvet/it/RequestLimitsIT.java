package io.korvet.it;

import static io.korvet.it.RawRequests.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.topic.TopicManager;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests at the edges that {@link ProtocolFuzzIT} found the broker failing on, one test each: partition counts
 * that Redis and Metadata answers cannot hold, error messages quoting names too long to be sent back, strings that
 * are not UTF-8 and no longer fit once read, keys that kafka-clients' hash collections would take minutes to read,
 * compressed batches declaring counts and lengths they do not hold, and record timestamps that could not be sent back.
 * Each gets Kafka's answer (or, for a malformed request, a closed connection), nothing is logged as a broker error,
 * and the broker goes on serving.
 */
class RequestLimitsIT {

    private static final int MAX_PARTITIONS = 50;

    static KorvetCluster cluster;
    static Admin admin;
    BrokerLogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of(TopicManager.MAX_PARTITIONS_KEY, String.valueOf(MAX_PARTITIONS)));
        admin = cluster.sharedAdmin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void captureLogs() {
        logs = BrokerLogCapture.attach();
    }

    @AfterEach
    void noBrokerErrors() throws Exception {
        try {
            assertThat(logs.messages("Cannot encode")).isEmpty();
            assertThat(logs.messages("after an error: java.lang.OutOfMemoryError")).isEmpty();
            try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
                assertThat(((MetadataResponse) c.call(RawRequests.metadataAllTopics())).errors()).isEmpty();
            }
        } finally {
            logs.close();
        }
    }

    private static Throwable cause(ExecutionException e) {
        return e.getCause();
    }

    @Test
    void partitionCountsAreBoundedPerRequestAndPerTopic() throws Exception {
        // Two billion partitions in one request: refused as Kafka's controller refuses more than 10,000 records.
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("two-billion", 2_000_000_000, (short) 1))).all()
                .get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(cause(e))
                        .isInstanceOf(PolicyViolationException.class)
                        .hasMessage("Unable to perform excessively large batch operation."));
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("ten-thousand-and-one", 10_001, (short) 1))).all()
                .get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(cause(e)).isInstanceOf(PolicyViolationException.class));

        // Within one request's bound, but over korvet.max.partitions.per.topic.
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("over-the-limit", MAX_PARTITIONS + 1, (short) 1))).all()
                .get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(cause(e))
                        .isInstanceOf(InvalidPartitionsException.class)
                        .hasMessageContaining(TopicManager.MAX_PARTITIONS_KEY));
        admin.createTopics(List.of(new NewTopic("at-the-limit", MAX_PARTITIONS, (short) 1))).all().get(10, TimeUnit.SECONDS);
        admin.createTopics(List.of(new NewTopic("growing", 1, (short) 1))).all().get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> admin.createPartitions(Map.of("at-the-limit", NewPartitions.increaseTo(MAX_PARTITIONS + 1))).all()
                .get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(cause(e)).isInstanceOf(InvalidPartitionsException.class));
        assertThatThrownBy(() -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(2_000_000_000))).all()
                .get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(cause(e)).isInstanceOf(PolicyViolationException.class));
        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(MAX_PARTITIONS))).all().get(10, TimeUnit.SECONDS);

        assertThat(admin.describeTopics(List.of("at-the-limit", "growing")).allTopicNames().get(10, TimeUnit.SECONDS))
                .allSatisfy((name, d) -> assertThat(d.partitions()).hasSize(MAX_PARTITIONS));
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
                .doesNotContain("two-billion", "ten-thousand-and-one", "over-the-limit");
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
        assertThat(admin.describeConfigs(List.of(broker)).all().get(10, TimeUnit.SECONDS).get(broker)
                .get(TopicManager.MAX_PARTITIONS_KEY).value()).isEqualTo(String.valueOf(MAX_PARTITIONS));
    }

    @Test
    void errorMessagesQuotingHugeNamesAndValuesStillFitInTheAnswer() throws Exception {
        // Names and values of up to 32,767 bytes are valid on the wire; a message quoting one would not fit.
        String longName = "n".repeat(32_000);
        assertThatThrownBy(() -> admin.createPartitions(Map.of(longName, NewPartitions.increaseTo(2))).all().get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(cause(e))
                        .isInstanceOf(UnknownTopicOrPartitionException.class)
                        .satisfies(t -> assertThat(t.getMessage().length()).isLessThanOrEqualTo(1_000)));

        admin.createTopics(List.of(new NewTopic("configured", 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "9".repeat(32_000)), AlterConfigOp.OpType.SET)))).all()
                .get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(cause(e))
                        .isInstanceOf(InvalidConfigurationException.class)
                        .satisfies(t -> assertThat(t.getMessage()).startsWith("Invalid value 9999").hasSizeLessThanOrEqualTo(1_000)));
    }

    @Test
    void aStringThatIsNotUtf8AndNoLongerFitsOnceReadIsAMalformedRequest() throws Exception {
        // DescribeGroups v0 with one group id of 32,767 bytes 0xff: each reads as U+FFFD, three bytes once written
        // again, so the answer, which echoes the id, could not be sent. The request is refused as malformed.
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendFrame(RawKafkaConnection.handMadeFrame(ApiKeys.DESCRIBE_GROUPS.id, (short) 0, 7, false, describeGroupsV0(32_767)));
            assertThat(c.closedByBroker()).isTrue();
        }
        assertThat(logs.warnings("malformed DESCRIBE_GROUPS v0", "too long")).isNotEmpty();

        // A short one is answered: the broker echoes it as it read it, as Kafka does.
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendFrame(RawKafkaConnection.handMadeFrame(ApiKeys.DESCRIBE_GROUPS.id, (short) 0, 8, false, describeGroupsV0(3)));
            RawKafkaConnection.Response<DescribeGroupsResponse> r = c.receive(ApiKeys.DESCRIBE_GROUPS, (short) 0);
            assertThat(r.correlationId()).isEqualTo(8);
            assertThat(r.body().data().groups()).extracting(g -> g.groupId()).containsExactly("\uFFFD\uFFFD\uFFFD");
        }
    }

    private static byte[] describeGroupsV0(int idBytes) {
        byte[] id = new byte[idBytes];
        Arrays.fill(id, (byte) 0xff);
        return ByteBuffer.allocate(4 + 2 + idBytes).putInt(1).putShort((short) idBytes).put(id).array();
    }

    @Test
    void keysKafkaClientsWouldTakeMinutesToReadCloseTheConnection() throws Exception {
        // CreateTopics v7 naming one topic 4,000 times: 60 KB that kafka-clients' keyed collection reads in cubic time
        // (over half a minute of an event loop). Refused before it is read; other clients are not held up.
        // Built byte by byte: kafka-clients' own collection would take as long to hold them on this side.
        CreateTopicsRequestData.CreatableTopicCollection one = new CreateTopicsRequestData.CreatableTopicCollection();
        one.add(new CreateTopicsRequestData.CreatableTopic().setName("same").setNumPartitions(1).setReplicationFactor((short) 1));
        byte[] single = RawKafkaConnection.frame(new CreateTopicsRequest.Builder(new CreateTopicsRequestData().setTopics(one)
                .setTimeoutMs(1000)).build((short) 7), 9);
        // Header v2 (2 + 2 + 4 + client id + 1 tag byte), then the topics array (count 1 + 1 = 0x02, one topic), then
        // timeout (4), validate only (1) and the tag byte (1).
        int topicsAt = 2 + 2 + 4 + 2 + RawKafkaConnection.CLIENT_ID.length() + 1;
        byte[] topic = Arrays.copyOfRange(single, topicsAt + 1, single.length - 6);
        ByteBuffer frame = ByteBuffer.allocate(single.length + 3_999 * topic.length + 2);
        frame.put(single, 0, topicsAt).put(new byte[] {(byte) 0xa1, 0x1f}); // unsigned varint 4,001: 4,000 topics
        for (int i = 0; i < 4_000; i++) {
            frame.put(topic);
        }
        frame.put(single, single.length - 6, 6).flip();
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendFrame(Arrays.copyOf(frame.array(), frame.limit()));
            assertThat(c.closedByBroker()).isTrue();
        }
        assertThat(logs.warnings("CREATE_TOPICS v7", "hash alike")).isNotEmpty();
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("same");
    }

    @Test
    void compressedBatchesDeclaringCountsOrLengthsTheyDoNotHoldAreRejectedForTheirPartitionOnly() throws Exception {
        admin.createTopics(List.of(new NewTopic("declared", 3, (short) 1))).all().get(10, TimeUnit.SECONDS);
        // Both under a right CRC, as a client can send them: a record count of 2^31 - 1, and a first record whose
        // length varint says 2^31 - 1 bytes. Decoded naively, each is an OutOfMemoryError.
        MemoryRecords hugeCount = rewritten(Integer.MAX_VALUE, false);
        MemoryRecords hugeLength = rewritten(2, true);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse r = c.call(RawRequests.produce((short) -1, "declared",
                    Map.of(0, hugeCount, 1, hugeLength, 2, RawRequests.records("fine"))));
            for (int p : new int[] {0, 1}) {
                PartitionProduceResponse failed = partition(r, p);
                assertThat(Errors.forCode(failed.errorCode())).as("partition %d", p).isIn(Errors.INVALID_RECORD, Errors.CORRUPT_MESSAGE);
            }
            assertThat(Errors.forCode(partition(r, 2).errorCode())).isEqualTo(Errors.NONE);
            assertThat(partition(r, 2).baseOffset()).isZero();
        }
        assertThat(RedisProbe.streamLength(cluster, "declared", 0)).isZero();
        assertThat(RedisProbe.streamLength(cluster, "declared", 1)).isZero();
        assertThat(RedisProbe.streamLength(cluster, "declared", 2)).isEqualTo(1);
    }

    /**
     * A zstd batch of two records, written again declaring {@code count} records, optionally with its first record's
     * length varint (one byte) replaced by 2^31 - 1 (five bytes), with a right length and CRC.
     */
    private static MemoryRecords rewritten(int count, boolean hugeFirstLength) throws Exception {
        ByteBuffer plain = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, "k".getBytes(), "v1".getBytes()),
                new SimpleRecord(2L, "k".getBytes(), "v2".getBytes())).buffer();
        byte[] bytes = new byte[plain.remaining()];
        plain.get(bytes);
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        if (hugeFirstLength) {
            records.write(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
            records.write(bytes, 62, bytes.length - 62);
        } else {
            records.write(bytes, 61, bytes.length - 61);
        }
        ByteBufferOutputStream out = new ByteBufferOutputStream(256);
        Compression zstd = Compression.zstd().build();
        try (OutputStream compressed = zstd.wrapForOutput(out, (byte) 2)) {
            compressed.write(records.toByteArray());
        }
        ByteBuffer written = out.buffer().flip();
        ByteBuffer batch = ByteBuffer.allocate(61 + written.remaining()).put(bytes, 0, 61).put(written).flip();
        batch.putInt(8, batch.limit() - 12)
                .putShort(21, (short) ((batch.getShort(21) & ~0x07) | zstd.type().id))
                .putInt(57, count);
        batch.putInt(17, (int) Crc32C.compute(batch, 21, batch.limit() - 21));
        return MemoryRecords.readableRecords(batch);
    }

    @Test
    void recordTimestampsAreCheckedAsKafkaChecksThemAndNegativeOnesRefused() throws Exception {
        // The record format refuses negative timestamps; the batch format stores them as Kafka does (below).
        admin.createTopics(List.of(new NewTopic("stamped", 3, (short) 1).configs(Map.of("korvet.stream.format", "record")),
                new NewTopic("stamped-batch", 2, (short) 1).configs(Map.of("korvet.stream.format", "batch"))))
                .all().get(10, TimeUnit.SECONDS);
        // A base timestamp of -10 under a right CRC: the Java producer never sends it, a raw client can. Stored, it could
        // not be written into a Fetch answer again (kafka-clients refuses negative timestamps): every consumer of the
        // partition was stuck on it.
        ByteBuffer negative = ByteBuffer.allocate(RawRequests.records("negative").sizeInBytes()).put(RawRequests.records("negative").buffer()).flip();
        negative.putLong(27, -10L).putInt(17, (int) Crc32C.compute(negative, 21, negative.limit() - 21));
        MemoryRecords future = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis() + 7_200_000, null, "two hours ahead".getBytes()));
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse r = c.call(RawRequests.produce((short) -1, "stamped",
                    Map.of(0, MemoryRecords.readableRecords(negative), 1, future, 2, RawRequests.records("now"))));
            assertThat(Errors.forCode(partition(r, 0).errorCode())).isEqualTo(Errors.INVALID_TIMESTAMP);
            assertThat(Errors.forCode(partition(r, 1).errorCode())).as("message.timestamp.after.max.ms is 1 hour")
                    .isEqualTo(Errors.INVALID_TIMESTAMP);
            assertThat(Errors.forCode(partition(r, 2).errorCode())).isEqualTo(Errors.NONE);
        }
        assertThat(RedisProbe.streamLength(cluster, "stamped", 0)).isZero();
        assertThat(RedisProbe.streamLength(cluster, "stamped", 1)).isZero();
        // Kafka stores a batch with negative timestamps as it came, and serves it back so: so does the batch format,
        // which never writes the batch again; the topic's bound on future timestamps holds in both.
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse r = c.call(RawRequests.produce((short) -1, "stamped-batch",
                    Map.of(0, MemoryRecords.readableRecords(negative.duplicate().position(0)), 1, future)));
            assertThat(Errors.forCode(partition(r, 0).errorCode())).isEqualTo(Errors.NONE);
            assertThat(Errors.forCode(partition(r, 1).errorCode())).isEqualTo(Errors.INVALID_TIMESTAMP);
            FetchResponse fetched = c.call(new FetchRequest(new FetchRequestData().setReplicaId(-1).setMaxWaitMs(100).setMinBytes(1)
                    .setMaxBytes(1 << 20).setSessionEpoch(-1).setTopics(List.of(new FetchRequestData.FetchTopic()
                            .setTopic("stamped-batch").setPartitions(List.of(fetchPartition(0))))), RawRequests.FETCH_BY_NAME));
            FetchResponseData.PartitionData p0 = fetched.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(p0.errorCode())).isEqualTo(Errors.NONE);
            MemoryRecords back = (MemoryRecords) p0.records();
            assertThat(back.records()).singleElement().satisfies(rec -> assertThat(rec.timestamp()).isEqualTo(-10L));
        }
        assertThat(RedisProbe.streamLength(cluster, "stamped-batch", 1)).isZero();
    }

    @Test
    void aStoredRecordThatCannotBeSentFailsItsPartitionOnlyAndTheFetchIsAnswered() throws Exception {
        admin.createTopics(List.of(new NewTopic("stored-badly", 2, (short) 1).configs(Map.of("korvet.stream.format", "record"))))
                .all().get(10, TimeUnit.SECONDS);
        // As a broker without the produce checks could have stored it: a record with timestamp -5.
        io.lettuce.core.RedisClient redis = io.lettuce.core.RedisClient.create(cluster.redis().uri());
        try (var connection = redis.connect()) {
            connection.sync().xadd(cluster.namespace() + ":stored-badly:0", new io.lettuce.core.XAddArgs().id("0-1"),
                    Map.of("ts", "-5", "value", "bad", "batch", "-1,-1,-1,1,0"));
        } finally {
            redis.shutdown();
        }
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse produced = c.call(RawRequests.produce((short) -1, "stored-badly", Map.of(1, RawRequests.records("good"))));
            assertThat(Errors.forCode(partition(produced, 1).errorCode())).isEqualTo(Errors.NONE);

            FetchRequestData.FetchTopic both = new FetchRequestData.FetchTopic().setTopic("stored-badly").setPartitions(List.of(
                    fetchPartition(0), fetchPartition(1)));
            FetchResponse r = c.call(new FetchRequest(new FetchRequestData().setReplicaId(-1).setMaxWaitMs(100).setMinBytes(1)
                    .setMaxBytes(1 << 20).setSessionEpoch(-1).setTopics(List.of(both)), RawRequests.FETCH_BY_NAME));
            List<FetchResponseData.PartitionData> partitions = r.data().responses().get(0).partitions();
            assertThat(Errors.forCode(partitions.get(0).errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
            assertThat(Errors.forCode(partitions.get(1).errorCode())).isEqualTo(Errors.NONE);
            assertThat(RawRequests.values(partitions.get(1))).containsExactly("0:good");
        }
        assertThat(logs.messages("stored-badly-0", "cannot be sent")).isNotEmpty();
    }

    private static FetchRequestData.FetchPartition fetchPartition(int partition) {
        return new FetchRequestData.FetchPartition().setPartition(partition).setFetchOffset(0).setCurrentLeaderEpoch(-1)
                .setLastFetchedEpoch(-1).setLogStartOffset(-1).setPartitionMaxBytes(1 << 20);
    }
}
