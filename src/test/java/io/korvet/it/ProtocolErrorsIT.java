package io.korvet.it;

import static io.korvet.it.RawRequests.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.korvet.it.RawKafkaConnection.Response;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input and protocol edge cases over real TCP: the broker answers what Apache Kafka answers (or
 * closes the connection where Kafka closes it), logs why, and keeps serving everyone else.
 */
class ProtocolErrorsIT {

    private static final int MAX_REQUEST_BYTES = 10_000;

    static KorvetCluster cluster;
    static Admin admin;
    BrokerLogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("socket.request.max.bytes", String.valueOf(MAX_REQUEST_BYTES)));
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
    void stopCapture() {
        logs.close();
    }

    // ---- framing -------------------------------------------------------------------------------------

    @Test
    void frameOverSocketRequestMaxBytesClosesTheConnection() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            byte[] start = ByteBuffer.allocate(4 + 100).putInt(2 * MAX_REQUEST_BYTES).array();
            c.sendRaw(start);
            assertThat(c.closedByBroker()).as("connection closed after a %d-byte size prefix", 2 * MAX_REQUEST_BYTES).isTrue();
            assertLoggedClose(c, "over the limit");
        }
        assertBrokerStillServes();
    }

    @Test
    void negativeFrameSizeClosesTheConnection() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendRaw(ByteBuffer.allocate(4 + 16).putInt(-1).array());
            assertThat(c.closedByBroker()).isTrue();
            assertLoggedClose(c, "negative");
        }
        assertBrokerStillServes();
    }

    @Test
    void frameOfExactlyTheLimitIsStillRead() throws Exception {
        // A frame of exactly socket.request.max.bytes is allowed; its content (no valid API) closes it.
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            byte[] payload = new byte[MAX_REQUEST_BYTES];
            Arrays.fill(payload, (byte) 0x7f);
            c.sendFrame(payload);
            assertThat(c.closedByBroker()).isTrue();
            assertLoggedClose(c, "unknown API key");
        }
        assertBrokerStillServes();
    }

    @Test
    void garbageBytesCloseTheConnection() throws Exception {
        Random random = new Random(20240611L);
        for (int i = 0; i < 5; i++) {
            byte[] garbage = new byte[64 + random.nextInt(512)];
            do {
                random.nextBytes(garbage);
            } while (ApiKeys.hasId(ByteBuffer.wrap(garbage).getShort()));
            try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
                c.sendFrame(garbage);
                assertThat(c.closedByBroker()).as("garbage frame %d", i).isTrue();
                assertLoggedClose(c, "unknown API key");
            }
        }
        assertBrokerStillServes();
    }

    @Test
    void validHeaderWithGarbageBodyClosesTheConnection() throws Exception {
        byte[] body = new byte[200];
        Arrays.fill(body, (byte) 0xff);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendFrame(RawKafkaConnection.handMadeFrame(ApiKeys.PRODUCE.id, (short) 9, 7, true, body));
            assertThat(c.closedByBroker()).isTrue();
            assertLoggedClose(c, "malformed PRODUCE v9");
        }
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            // A Metadata v12 header and a body cut short in the middle of its topic array.
            c.sendFrame(RawKafkaConnection.handMadeFrame(ApiKeys.METADATA.id, (short) 12, 8, true, new byte[] {5, 0}));
            assertThat(c.closedByBroker()).isTrue();
            assertLoggedClose(c, "malformed METADATA v12");
        }
        assertBrokerStillServes();
    }

    @Test
    void truncatedHeaderClosesTheConnection() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendFrame(new byte[] {0, 3, 0});
            assertThat(c.closedByBroker()).isTrue();
            assertLoggedClose(c, "too short");
        }
        assertBrokerStillServes();
    }

    // ---- API keys and versions -----------------------------------------------------------------------

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendFrame(RawKafkaConnection.handMadeFrame((short) 9999, (short) 0, 1, false, new byte[0]));
            assertThat(c.closedByBroker()).isTrue();
            assertLoggedClose(c, "unknown API key 9999");
        }
        assertBrokerStillServes();
    }

    @Test
    void knownApiKeyWithoutHandlerClosesTheConnection() throws Exception {
        // FIND_COORDINATOR (10) is a Kafka API this broker does not advertise.
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendFrame(RawKafkaConnection.handMadeFrame(ApiKeys.FIND_COORDINATOR.id, (short) 4, 1, true, new byte[] {0, 0, 0}));
            assertThat(c.closedByBroker()).isTrue();
            assertLoggedClose(c, "FIND_COORDINATOR");
        }
        assertBrokerStillServes();
    }

    @Test
    void unsupportedVersionsOfKnownApisCloseTheConnection() throws Exception {
        record Case(ApiKeys api, short version) {
        }
        // Produce v0-v2 and Fetch v0-v3 were removed in Kafka 4.0; Metadata v99 does not exist.
        for (Case k : List.of(new Case(ApiKeys.PRODUCE, (short) 2), new Case(ApiKeys.FETCH, (short) 3),
                new Case(ApiKeys.METADATA, (short) 99), new Case(ApiKeys.PRODUCE, (short) 14))) {
            try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
                c.sendFrame(RawKafkaConnection.handMadeFrame(k.api.id, k.version, 1, false, new byte[32]));
                assertThat(c.closedByBroker()).as("%s v%d", k.api, k.version).isTrue();
                assertLoggedClose(c, "version " + k.version + " of " + k.api + " is not supported");
            }
        }
        assertBrokerStillServes();
    }

    @Test
    void apiVersionsAtAnUnknownVersionIsAnsweredAtV0WithUnsupportedVersion() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendFrame(RawKafkaConnection.handMadeFrame(ApiKeys.API_VERSIONS.id, (short) 99, 4242, true, new byte[] {0, 0, 0}));
            Response<ApiVersionsResponse> r = c.receive(ApiKeys.API_VERSIONS, (short) 0, (short) 0);
            assertThat(r.correlationId()).isEqualTo(4242);
            assertThat(Errors.forCode(r.body().data().errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
            List<Short> keys = new ArrayList<>();
            for (ApiVersion v : r.body().data().apiKeys()) {
                keys.add(v.apiKey());
            }
            assertThat(keys).contains(ApiKeys.PRODUCE.id, ApiKeys.FETCH.id, ApiKeys.API_VERSIONS.id, ApiKeys.METADATA.id);
            ApiVersion apiVersions = r.body().data().apiKeys().find(ApiKeys.API_VERSIONS.id);
            assertThat(apiVersions.maxVersion()).isGreaterThanOrEqualTo((short) 3);

            // The connection stays open, as in Kafka: the client retries at a version it now knows.
            ApiVersionsResponse v3 = c.call(RawRequests.apiVersions((short) 3));
            assertThat(Errors.forCode(v3.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(v3.data().apiKeys().find(ApiKeys.PRODUCE.id)).isNotNull();
        }
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ApiVersionsResponse v3 = c.call(RawRequests.apiVersions((short) 3));
            assertThat(Errors.forCode(v3.data().errorCode())).isEqualTo(Errors.NONE);
        }
        assertThat(logs.messages("ApiVersions v99")).isNotEmpty();
        assertBrokerStillServes();
    }

    // ---- produce -------------------------------------------------------------------------------------

    @Test
    void corruptBatchFailsItsPartitionOnlyAndWritesNothing() throws Exception {
        String topic = "corrupt-batch";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(10, TimeUnit.SECONDS);
        MemoryRecords corrupt = RawRequests.records("this record's last byte is flipped");
        ByteBuffer buffer = corrupt.buffer();
        int last = buffer.limit() - 1;
        buffer.put(last, (byte) (buffer.get(last) ^ 0x01));
        assertThat(corrupt.batches().iterator().next().isValid()).isFalse();
        MemoryRecords valid = RawRequests.records("valid");

        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse r = c.call(RawRequests.produce((short) -1, topic, Map.of(0, corrupt, 1, valid)));
            PartitionProduceResponse p0 = partition(r, 0);
            PartitionProduceResponse p1 = partition(r, 1);
            assertThat(Errors.forCode(p0.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
            assertThat(Errors.forCode(p1.errorCode())).isEqualTo(Errors.NONE);
            assertThat(p1.baseOffset()).isZero();
            // The connection survives a per-partition error.
            assertThat(((MetadataResponse) c.call(RawRequests.metadataAllTopics())).topicMetadata()).isNotEmpty();
        }
        assertThat(logs.warnings("corrupt-batch-0", "CORRUPT_MESSAGE")).isNotEmpty();

        TopicPartition tp1 = new TopicPartition(topic, 1);
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp1));
            consumer.seekToBeginning(List.of(tp1));
            List<ConsumerRecord<String, String>> read = pollAtLeast(consumer, 1);
            assertThat(read).extracting(ConsumerRecord::value).containsExactly("valid");
            assertThat(read.get(0).offset()).isZero();
        }
        assertThat(RedisProbe.streamLength(cluster, topic, 0)).as("nothing of the corrupt batch in Redis").isZero();
        assertThat(RedisProbe.streamLength(cluster, topic, 1)).isEqualTo(1);
        assertBrokerStillServes();
    }

    @Test
    void produceToUnknownTopicOrPartitionOrTopicId() throws Exception {
        String topic = "known-two-partitions";
        Uuid topicId = admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).topicId(topic).get(10, TimeUnit.SECONDS);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse unknownTopic = c.call(RawRequests.produce((short) -1, "no-such-topic", Map.of(0, RawRequests.records("x"))));
            assertThat(Errors.forCode(partition(unknownTopic, 0).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);

            ProduceResponse outOfRange = c.call(RawRequests.produce((short) -1, topic, Map.of(2, RawRequests.records("x"))));
            assertThat(Errors.forCode(partition(outOfRange, 2).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);

            ProduceResponse unknownId = c.call(RawRequests.produceById((short) -1, Uuid.randomUuid(), Map.of(0, RawRequests.records("x"))));
            assertThat(Errors.forCode(partition(unknownId, 0).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID);

            // By id, the known topic works on the same connection.
            ProduceResponse byId = c.call(RawRequests.produceById((short) -1, topicId, Map.of(1, RawRequests.records("by-id"))));
            assertThat(Errors.forCode(partition(byId, 1).errorCode())).isEqualTo(Errors.NONE);
            assertThat(partition(byId, 1).baseOffset()).isZero();
        }
        assertThat(RedisProbe.streamLength(cluster, topic, 0)).isZero();
        assertThat(RedisProbe.streamLength(cluster, "no-such-topic", 0)).isZero();
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("no-such-topic");
        assertBrokerStillServes();
    }

    @Test
    void batchOverTheTopicsMaxMessageBytesIsRejected() throws Exception {
        String topic = "small-messages";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "1000"))))
                .all().get(10, TimeUnit.SECONDS);
        String big = "x".repeat(5000);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse r = c.call(RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records(big))));
            assertThat(Errors.forCode(partition(r, 0).errorCode())).isEqualTo(Errors.MESSAGE_TOO_LARGE);
            ProduceResponse small = c.call(RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records("small"))));
            assertThat(Errors.forCode(partition(small, 0).errorCode())).isEqualTo(Errors.NONE);
            assertThat(partition(small, 0).baseOffset()).isZero();
        }

        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            Throwable failure = catchThrowable(() -> producer.send(new ProducerRecord<>(topic, 0, null, big)).get(30, TimeUnit.SECONDS));
            assertThat(failure).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecordTooLargeException.class);
            RecordMetadata ok = producer.send(new ProducerRecord<>(topic, 0, null, "small-after-too-large")).get(30, TimeUnit.SECONDS);
            assertThat(ok.offset()).isEqualTo(1);
        }
        assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(2);
        assertBrokerStillServes();
    }

    @Test
    void invalidBatchesAndAcksAreRefusedPerPartition() throws Exception {
        String topic = "invalid-batches";
        admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(10, TimeUnit.SECONDS);
        // Two batches for one partition: Kafka wants exactly one per partition from Produce v3 on.
        ByteBuffer twoBatches = ByteBuffer.allocate(2 * RawRequests.records("one").sizeInBytes() + 16);
        twoBatches.put(RawRequests.records("one").buffer()).put(RawRequests.records("two").buffer()).flip();
        MemoryRecords magicV1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), null, "old format".getBytes(StandardCharsets.UTF_8)));
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse r = c.call(RawRequests.produce((short) -1, topic, Map.of(
                    0, MemoryRecords.readableRecords(twoBatches),
                    1, magicV1,
                    2, MemoryRecords.EMPTY,
                    3, RawRequests.records("fine"))));
            assertThat(Errors.forCode(partition(r, 0).errorCode())).isEqualTo(Errors.INVALID_RECORD);
            assertThat(Errors.forCode(partition(r, 1).errorCode())).isEqualTo(Errors.INVALID_RECORD);
            assertThat(Errors.forCode(partition(r, 2).errorCode())).isEqualTo(Errors.INVALID_RECORD);
            assertThat(Errors.forCode(partition(r, 3).errorCode())).isEqualTo(Errors.NONE);

            // acks must be -1, 0 or 1.
            ProduceResponse badAcks = c.call(RawRequests.produce((short) 2, topic, Map.of(3, RawRequests.records("acks=2"))));
            assertThat(Errors.forCode(partition(badAcks, 3).errorCode())).isEqualTo(Errors.INVALID_REQUIRED_ACKS);
        }
        for (int p = 0; p < 3; p++) {
            assertThat(RedisProbe.streamLength(cluster, topic, p)).as("partition %d", p).isZero();
        }
        assertThat(RedisProbe.streamLength(cluster, topic, 3)).isEqualTo(1);
        assertBrokerStillServes();
    }

    // ---- fetch and list offsets ---------------------------------------------------------------------

    @Test
    void fetchPastTheEndIsOffsetOutOfRange() throws Exception {
        String topic = "fetch-range";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse p = c.call(RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records("a", "b"))));
            assertThat(Errors.forCode(partition(p, 0).errorCode())).isEqualTo(Errors.NONE);

            FetchResponse past = c.call(RawRequests.fetch(topic, 0, 5, 0, 1));
            FetchResponseData.PartitionData pd = RawRequests.onlyPartition(past);
            assertThat(Errors.forCode(pd.errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
            assertThat(pd.highWatermark()).isEqualTo(2);

            FetchResponse middle = c.call(RawRequests.fetch(topic, 0, 1, 0, 1));
            assertThat(RawRequests.values(RawRequests.onlyPartition(middle), 1)).containsExactly("1:b");
        }
        assertBrokerStillServes();
    }

    @Test
    void fetchOfUnknownTopicPartitionOrNegativeOffsetOrUnknownSession() throws Exception {
        String topic = "fetch-errors";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            FetchResponse unknownTopic = c.call(RawRequests.fetch("no-such-fetch-topic", 0, 0, 0, 1));
            assertThat(Errors.forCode(RawRequests.onlyPartition(unknownTopic).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);

            FetchResponse unknownPartition = c.call(RawRequests.fetch(topic, 1, 0, 0, 1));
            assertThat(Errors.forCode(RawRequests.onlyPartition(unknownPartition).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);

            FetchResponse negative = c.call(RawRequests.fetch(topic, 0, -1, 0, 1));
            assertThat(Errors.forCode(RawRequests.onlyPartition(negative).errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);

            // An incremental fetch in a session this broker never created.
            var inSession = RawRequests.fetch(topic, 0, 0, 0, 1);
            inSession.data().setSessionId(12345).setSessionEpoch(3);
            FetchResponse unknownSession = c.call(inSession);
            assertThat(Errors.forCode(unknownSession.data().errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);

            // With a long max_wait, an error is answered at once (not after the wait).
            c.setReadTimeout(4_000);
            FetchResponse unknownWithWait = c.call(RawRequests.fetch("no-such-fetch-topic", 0, 0, 30_000, 1));
            assertThat(Errors.forCode(RawRequests.onlyPartition(unknownWithWait).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        assertBrokerStillServes();
    }

    @Test
    void aPartitionNamedManyTimesInOneFetchIsReadAndAnsweredOnce() throws Exception {
        String topic = "fetch-repeated";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse p = c.call(RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records("a", "b", "c"))));
            assertThat(Errors.forCode(partition(p, 0).errorCode())).isEqualTo(Errors.NONE);
            // As Kafka keeps a request's partitions in a map: the last mention's parameters win, the answer has one entry.
            var repeated = RawRequests.fetch(topic, 0, 0, 0, 1);
            var first = repeated.data().topics().get(0).partitions().get(0);
            List<FetchRequestData.FetchPartition> partitions = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) { // within this class's socket.request.max.bytes
                partitions.add(first.duplicate());
            }
            partitions.get(partitions.size() - 1).setFetchOffset(2);
            repeated.data().topics().get(0).setPartitions(partitions);
            FetchResponse r = c.call(repeated);
            assertThat(RawRequests.values(RawRequests.onlyPartition(r), 2)).containsExactly("2:c");
        }
        assertBrokerStillServes();
    }

    @Test
    void fetchWithTinyByteLimitsStillReturnsTheFirstRecord() throws Exception {
        String topic = "fetch-tiny-limit";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            String value = "v".repeat(300);
            ProduceResponse p = c.call(RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records(value, value))));
            assertThat(Errors.forCode(partition(p, 0).errorCode())).isEqualTo(Errors.NONE);
            // As Kafka does (KIP-74), the first batch is returned even over max_bytes, so the consumer progresses.
            var tiny = RawRequests.fetch(topic, 0, 0, 0, 1);
            tiny.data().setMaxBytes(1);
            tiny.data().topics().get(0).partitions().get(0).setPartitionMaxBytes(1);
            FetchResponse r = c.call(tiny);
            FetchResponseData.PartitionData pd = RawRequests.onlyPartition(r);
            assertThat(Errors.forCode(pd.errorCode())).isEqualTo(Errors.NONE);
            assertThat(RawRequests.values(pd)).isNotEmpty().first().isEqualTo("0:" + value);
        }
        assertBrokerStillServes();
    }

    @Test
    void fetchByUnknownTopicIdIsUnknownTopicId() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            FetchResponse r = c.call(RawRequests.fetchById(Uuid.randomUuid(), 0, 0, 0, 1));
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(Errors.forCode(RawRequests.onlyPartition(r).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
        }
        assertBrokerStillServes();
    }

    @Test
    void listOffsetsForUnknownTopicIsUnknownTopicOrPartition() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ListOffsetsResponse r = c.call(RawRequests.listOffsets("no-such-topic-either", 0, -1L));
            assertThat(Errors.forCode(RawRequests.onlyPartition(r).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        assertBrokerStillServes();
    }

    @Test
    void listOffsetsForUnknownPartitionIsUnknownTopicOrPartition() throws Exception {
        String topic = "list-offsets-one-partition";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ListOffsetsResponse r = c.call(RawRequests.listOffsets(topic, 5, -1L));
            assertThat(Errors.forCode(RawRequests.onlyPartition(r).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            ListOffsetsResponse ok = c.call(RawRequests.listOffsets(topic, 0, -1L));
            assertThat(Errors.forCode(RawRequests.onlyPartition(ok).errorCode())).isEqualTo(Errors.NONE);
            assertThat(RawRequests.onlyPartition(ok).offset()).isZero();
        }
        assertBrokerStillServes();
    }

    @Test
    void metadataForAnInvalidTopicNameIsInvalidTopic() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            MetadataResponse r = c.call(new MetadataRequest(new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("bad:name")))
                    .setAllowAutoTopicCreation(true), (short) 12));
            assertThat(r.topicMetadata()).hasSize(1);
            assertThat(r.topicMetadata().iterator().next().error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        }
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("bad:name");
        assertBrokerStillServes();
    }

    @Test
    void apiVersionsWithAnInvalidClientSoftwareNameIsInvalidRequest() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ApiVersionsResponse r = c.call(new ApiVersionsRequest(new ApiVersionsRequestData()
                    .setClientSoftwareName("not valid!")
                    .setClientSoftwareVersion("1.0"), (short) 3));
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.INVALID_REQUEST);
            // Kafka answers and keeps the connection.
            ApiVersionsResponse ok = c.call(RawRequests.apiVersions((short) 3));
            assertThat(Errors.forCode(ok.data().errorCode())).isEqualTo(Errors.NONE);
        }
        assertBrokerStillServes();
    }

    @Test
    void failedAcksZeroProduceClosesTheConnection() throws Exception {
        // Kafka closes the connection when an acks=0 produce fails (KafkaApis.handleProduceRequest:
        // "Closing connection due to error during produce request ... with ack=0"), the only way the
        // client can learn of the error and refresh its metadata.
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.send(RawRequests.produce((short) 0, "no-such-acks0-topic", Map.of(0, RawRequests.records("lost"))));
            assertThat(c.closedByBroker()).as("connection closed after an acks=0 produce to an unknown topic").isTrue();
        }
        String topic = "acks0-corrupt";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        MemoryRecords corrupt = RawRequests.records("corrupt");
        corrupt.buffer().put(corrupt.buffer().limit() - 1, (byte) 0x55);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.send(RawRequests.produce((short) 0, topic, Map.of(0, corrupt)));
            assertThat(c.closedByBroker()).as("connection closed after an acks=0 produce of a corrupt batch").isTrue();
        }
        assertThat(RedisProbe.streamLength(cluster, topic, 0)).isZero();
        assertBrokerStillServes();
    }

    // ---- transactions --------------------------------------------------------------------------------

    @Test
    void aTransactionalBatchOutsideAnOpenTransactionIsRefused() throws Exception {
        // KIP-890: a transactional batch is written only into a partition its producer's open transaction holds.
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            InitProducerIdResponse init = c.call(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId("korvet-it-tx")
                    .setTransactionTimeoutMs(60_000)
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1)).build((short) 5));
            assertThat(init.error()).isEqualTo(Errors.NONE);

            String topic = "transactional-batch";
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
            MemoryRecords transactional = MemoryRecords.withTransactionalRecords(Compression.NONE,
                    init.data().producerId(), init.data().producerEpoch(), 0,
                    new SimpleRecord(System.currentTimeMillis(), null, "tx".getBytes(StandardCharsets.UTF_8)));
            ProduceResponse r = c.call(RawRequests.produce((short) -1, topic, Map.of(0, transactional)));
            System.out.println("Raw transactional batch: " + Errors.forCode(partition(r, 0).errorCode()) + " " + partition(r, 0).errorMessage());
            assertThat(Errors.forCode(partition(r, 0).errorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
            assertThat(RedisProbe.streamLength(cluster, topic, 0)).isZero();
        }
        assertThat(logs.warnings("INVALID_TXN_STATE")).isNotEmpty();
        assertBrokerStillServes();
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private void assertLoggedClose(RawKafkaConnection c, String reason) {
        String who = ":" + c.localPort();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(logs.warnings("Closing connection", who, reason)).as("broker log for %s", who).isNotEmpty());
    }

    /** A fresh connection gets Metadata, and Admin lists topics: the broker keeps serving. */
    static void assertBrokerStillServes() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            MetadataResponse r = c.call(RawRequests.metadataAllTopics());
            assertThat(r.brokers()).hasSize(1);
            assertThat(r.clusterId()).isNotBlank();
        }
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).isNotNull();
    }

    static <K, V> List<ConsumerRecord<K, V>> pollAtLeast(KafkaConsumer<K, V> consumer, int count) {
        List<ConsumerRecord<K, V>> read = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 15_000;
        while (read.size() < count && System.currentTimeMillis() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
        return read;
    }
}
