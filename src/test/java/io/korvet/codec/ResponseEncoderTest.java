package io.korvet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.korvet.config.KorvetConfig;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.HandlerRegistry;
import io.korvet.dispatch.RequestContext;
import io.korvet.handler.ApiVersionsHandler;
import io.korvet.handler.CreateTopicsHandler;
import io.korvet.handler.FetchHandler;
import io.korvet.handler.InitProducerIdHandler;
import io.korvet.handler.ListOffsetsHandler;
import io.korvet.handler.MetadataHandler;
import io.korvet.handler.ProduceHandler;
import io.korvet.log.IncomingBatch;
import io.korvet.log.LogManager;
import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.HashedWheelTimer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every version of every API: the real handlers (over in-memory stores) build their responses, which are
 * encoded with {@link ResponseEncoder} and read back with kafka-clients. A field a handler sets that does
 * not exist at some version fails the encode (UnsupportedVersionException) or the read-back checks.
 */
class ResponseEncoderTest {

    private static final HashedWheelTimer TIMER = new HashedWheelTimer();

    @AfterAll
    static void stopTimer() {
        TIMER.stop();
    }

    // ---- the broker under test ----

    private final KorvetConfig config = KorvetConfig.fromMap(Map.of("auto.create.topics.enable", "false",
            // The records appended below are a record-format topic's; the batch format is encoded the same way.
            "korvet.stream.format", "record"));
    private final LogManager logs = new LogManager(InMemoryStores.partitionStore(), 1000);
    private final TopicManager topics = InMemoryStores.topicManager(InMemoryStores.topicStore(), config, logs);
    private final HandlerRegistry registry = new HandlerRegistry();
    private final ApiVersionsHandler apiVersions = new ApiVersionsHandler(registry, new io.korvet.cluster.ClusterFeatures(null, 0));
    private final io.korvet.cluster.PartitionLeadership leadership = InMemoryStores.leadership(topics, logs);
    private final MetadataHandler metadata = new MetadataHandler(config, topics, leadership);
    private final CreateTopicsHandler createTopics = new CreateTopicsHandler(config, topics);
    private final io.korvet.storage.TopicStore topicStore = InMemoryStores.topicStore();
    private final InitProducerIdHandler initProducerId = new InitProducerIdHandler(topicStore,
            new io.korvet.txn.TransactionCoordinator(InMemoryStores.transactionStore(), topicStore::nextProducerId,
                    (tp, marker) -> java.util.concurrent.CompletableFuture.completedFuture(null),
                    new io.korvet.txn.TransactionCoordinator.Settings(900_000, 10_000, 604_800_000L), System::currentTimeMillis));
    private final ProduceHandler produce = new ProduceHandler(topics, logs, InMemoryStores.noReplicas(), leadership);
    private final ListOffsetsHandler listOffsets = new ListOffsetsHandler(topics, logs, leadership);
    private final FetchHandler fetch = new FetchHandler(topics, logs, TIMER, leadership);
    private Topic orders;

    @BeforeEach
    void setUp() {
        registry.register(apiVersions).register(metadata).register(createTopics).register(initProducerId)
                .register(produce).register(listOffsets).register(fetch);
        orders = topics.create("orders", 4, (short) -1, Map.of(), false).toCompletableFuture().join();
        topics.create("stamped", 1, (short) 1, Map.of("message.timestamp.type", "LogAppendTime"), false).toCompletableFuture().join();
        // orders-0 holds offsets 0..2 with timestamps 1000, 2000, 3000.
        List<NewRecord> three = List.of(
                new NewRecord(1000, b("k0"), b("v0"), new Header[0]),
                new NewRecord(2000, b("k1"), b("v1"), new Header[0]),
                new NewRecord(3000, null, b("v2"), new Header[0]));
        logs.log(new TopicPartition("orders", 0))
                .append(IncomingBatch.records(new BatchHeader(-1, (short) -1, -1, 3, BatchHeader.CREATE_TIME), three, -1))
                .toCompletableFuture().join();
    }

    // ---- helpers ----

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Short> versions(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(v -> (short) v);
    }

    static Stream<Short> apiVersionsVersions() {
        return versions(0, 4);
    }

    static Stream<Short> metadataVersions() {
        return versions(0, 13);
    }

    static Stream<Short> createTopicsVersions() {
        return versions(2, 7);
    }

    static Stream<Short> initProducerIdVersions() {
        return versions(0, 6);
    }

    static Stream<Short> produceVersions() {
        return versions(3, 13);
    }

    static Stream<Short> listOffsetsVersions() {
        return versions(1, 11);
    }

    static Stream<Short> fetchVersions() {
        return versions(4, 18);
    }

    /** Serializes the request at {@code version} and parses it back, as the dispatcher does. */
    @SuppressWarnings("unchecked")
    private static <R extends AbstractRequest> R request(ApiKeys key, short version, ApiMessage data) {
        return (R) AbstractRequest.parseRequest(key, version, MessageUtil.toByteBufferAccessor(data, version)).request;
    }

    private static <R extends AbstractRequest> ApiMessage handle(ApiHandler<R> handler, short version, ApiMessage requestData) {
        R request = request(handler.apiKey(), version, requestData);
        RequestContext context = new RequestContext(new RequestHeader(handler.apiKey(), version, "codec-test", 1),
                new InetSocketAddress("127.0.0.1", 40000));
        try {
            return handler.handle(context, request).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(handler.apiKey() + " v" + version + " failed", e);
        }
    }

    /** Encodes with ResponseEncoder and reads back with kafka-clients, checking framing and header on the way. */
    private static AbstractResponse roundTrip(ApiKeys key, short version, ApiMessage data) {
        int correlationId = 0x5EED0000 + version;
        short headerVersion = key.responseHeaderVersion(version);
        ByteBuf encoded = ResponseEncoder.encode(UnpooledByteBufAllocator.DEFAULT, correlationId, headerVersion, data, version);
        try {
            ByteBuffer nio = encoded.nioBuffer();
            assertThat(nio.getInt()).as("size prefix").isEqualTo(nio.remaining());
            assertThat(ResponseHeader.parse(nio, headerVersion).correlationId()).isEqualTo(correlationId);
            ByteBuffer body = nio.slice();
            AbstractResponse parsed = AbstractResponse.parseResponse(key, new ByteBufferAccessor(nio), version);
            assertThat(nio.remaining()).as("bytes left after the body").isZero();
            assertThat(body).as("body as kafka-clients writes it").isEqualTo(MessageUtil.toByteBufferAccessor(data, version).buffer());
            return parsed;
        } finally {
            encoded.release();
        }
    }

    private static MemoryRecords records(long producerId, int baseSequence, String... values) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_VALUE_V2, Compression.NONE,
                TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId, (short) (producerId < 0 ? -1 : 0),
                baseSequence, false, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (String v : values) {
            builder.append(new SimpleRecord(5000, b("k"), b(v)));
        }
        return builder.build();
    }

    private static String s(ByteBuffer buffer) {
        return buffer == null ? null : new String(Utils.toArray(buffer), StandardCharsets.UTF_8);
    }

    // ---- tests ----

    @Test
    void testedVersionRangesAreTheHandlersDeclaredRanges() {
        assertThat(List.of(apiVersions.minVersion(), apiVersions.maxVersion())).containsExactly((short) 0, (short) 4);
        assertThat(List.of(metadata.minVersion(), metadata.maxVersion())).containsExactly((short) 0, (short) 13);
        assertThat(List.of(createTopics.minVersion(), createTopics.maxVersion())).containsExactly((short) 2, (short) 7);
        assertThat(List.of(initProducerId.minVersion(), initProducerId.maxVersion())).containsExactly((short) 0, (short) 6);
        assertThat(List.of(produce.minVersion(), produce.maxVersion())).containsExactly((short) 3, (short) 13);
        assertThat(List.of(listOffsets.minVersion(), listOffsets.maxVersion())).containsExactly((short) 1, (short) 11);
        assertThat(List.of(fetch.minVersion(), fetch.maxVersion())).containsExactly((short) 4, (short) 18);
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("apiVersionsVersions")
    void apiVersions(short v) {
        ApiMessage data = handle(apiVersions, v, new ApiVersionsRequestData()
                .setClientSoftwareName("korvet-test").setClientSoftwareVersion("1.0"));

        ApiVersionsResponseData parsed = ((ApiVersionsResponse) roundTrip(ApiKeys.API_VERSIONS, v, data)).data();

        assertThat(parsed.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(parsed.apiKeys()).hasSize(7);
        assertThat(parsed.apiKeys().find(ApiKeys.PRODUCE.id).minVersion()).isEqualTo((short) 3);
        assertThat(parsed.apiKeys().find(ApiKeys.PRODUCE.id).maxVersion()).isEqualTo((short) 13);
        assertThat(parsed.apiKeys().find(ApiKeys.FETCH.id).maxVersion()).isEqualTo((short) 18);
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {3, 4})
    void apiVersionsWithInvalidClientSoftwareName(short v) {
        ApiMessage data = handle(apiVersions, v, new ApiVersionsRequestData()
                .setClientSoftwareName("no spaces allowed!").setClientSoftwareVersion("1.0"));

        ApiVersionsResponseData parsed = ((ApiVersionsResponse) roundTrip(ApiKeys.API_VERSIONS, v, data)).data();

        assertThat(parsed.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("metadataVersions")
    void metadata(short v) {
        MetadataRequestData request = new MetadataRequestData();
        request.topics().add(new MetadataRequestTopic().setName("orders"));
        request.topics().add(new MetadataRequestTopic().setName("missing"));
        request.topics().add(new MetadataRequestTopic().setName("bad name!"));
        if (v >= 4) {
            request.setAllowAutoTopicCreation(false);
        }
        if (v >= 10) {
            request.topics().add(new MetadataRequestTopic().setName(null).setTopicId(orders.id()));
        }
        if (v >= 12) {
            request.topics().add(new MetadataRequestTopic().setName(null).setTopicId(Uuid.randomUuid()));
        }

        MetadataResponseData parsed = ((MetadataResponse) roundTrip(ApiKeys.METADATA, v, handle(metadata, v, request))).data();

        assertThat(parsed.brokers()).singleElement().satisfies(broker -> {
            assertThat(broker.nodeId()).isZero();
            assertThat(broker.host()).isEqualTo("localhost");
            assertThat(broker.port()).isEqualTo(9092);
        });
        if (v >= 2) {
            assertThat(parsed.clusterId()).isEqualTo("korvet-cluster");
        }
        if (v >= 1) {
            assertThat(parsed.controllerId()).isZero();
        }
        List<MetadataResponseTopic> answered = new ArrayList<>(parsed.topics());
        assertThat(answered).hasSize(request.topics().size());
        MetadataResponseTopic ordersAnswer = answered.get(0);
        assertThat(ordersAnswer.name()).isEqualTo("orders");
        assertThat(ordersAnswer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(ordersAnswer.partitions()).hasSize(4).allSatisfy(p -> {
            assertThat(p.leaderId()).isZero();
            assertThat(p.replicaNodes()).containsExactly(0);
            assertThat(p.isrNodes()).containsExactly(0);
        });
        if (v >= 7) {
            assertThat(ordersAnswer.partitions().get(0).leaderEpoch()).isZero();
        }
        if (v >= 10) {
            assertThat(ordersAnswer.topicId()).isEqualTo(orders.id());
            assertThat(answered.get(3).name()).isEqualTo("orders");
            assertThat(answered.get(3).errorCode()).isEqualTo(Errors.NONE.code());
        }
        assertThat(answered.get(1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(answered.get(2).errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        if (v >= 12) {
            assertThat(answered.get(4).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
            assertThat(answered.get(4).name()).isNull();
        }
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("metadataVersions")
    void metadataForAllTopics(short v) {
        MetadataRequestData request = new MetadataRequestData().setTopics(v == 0 ? new ArrayList<>() : null);

        MetadataResponseData parsed = ((MetadataResponse) roundTrip(ApiKeys.METADATA, v, handle(metadata, v, request))).data();

        assertThat(parsed.topics()).extracting(MetadataResponseTopic::name).containsExactlyInAnyOrder("orders", "stamped");
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {10, 11})
    void metadataUnknownTopicIdWithNullNameBeforeV12(short v) {
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(false);
        request.topics().add(new MetadataRequestTopic().setName(null).setTopicId(Uuid.randomUuid()));

        ApiMessage data = handle(metadata, v, request);

        assertThatCode(() -> roundTrip(ApiKeys.METADATA, v, data)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("createTopicsVersions")
    void createTopics(short v) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(10_000);
        CreatableTopic fresh = new CreatableTopic().setName("fresh").setNumPartitions(3).setReplicationFactor((short) 1);
        fresh.configs().add(new CreatableTopicConfig().setName("retention.ms").setValue("1000"));
        request.topics().add(fresh);
        request.topics().add(new CreatableTopic().setName("orders").setNumPartitions(1).setReplicationFactor((short) 1));
        request.topics().add(new CreatableTopic().setName("dup").setNumPartitions(1).setReplicationFactor((short) 1));
        request.topics().add(new CreatableTopic().setName("dup").setNumPartitions(2).setReplicationFactor((short) 1));
        CreatableTopic badConfig = new CreatableTopic().setName("badcfg").setNumPartitions(1).setReplicationFactor((short) 1);
        badConfig.configs().add(new CreatableTopicConfig().setName("no.such.config").setValue("1"));
        request.topics().add(badConfig);
        request.topics().add(new CreatableTopic().setName("rf3").setNumPartitions(1).setReplicationFactor((short) 3));
        request.topics().add(new CreatableTopic().setName("bad name!").setNumPartitions(1).setReplicationFactor((short) 1));

        CreateTopicsResponseData parsed = ((CreateTopicsResponse) roundTrip(ApiKeys.CREATE_TOPICS, v,
                handle(createTopics, v, request))).data();

        List<CreatableTopicResult> results = new ArrayList<>(parsed.topics());
        assertThat(results).extracting(CreatableTopicResult::name)
                .containsExactly("fresh", "orders", "dup", "dup", "badcfg", "rf3", "bad name!");
        assertThat(results).extracting(CreatableTopicResult::errorCode).containsExactly(
                Errors.NONE.code(), Errors.TOPIC_ALREADY_EXISTS.code(), Errors.INVALID_REQUEST.code(), Errors.INVALID_REQUEST.code(),
                Errors.INVALID_CONFIG.code(), Errors.INVALID_REPLICATION_FACTOR.code(), Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(results.subList(1, results.size())).allSatisfy(r -> assertThat(r.errorMessage()).isNotBlank());
        CreatableTopicResult created = results.get(0);
        if (v >= 5) {
            assertThat(created.numPartitions()).isEqualTo(3);
            assertThat(created.replicationFactor()).isEqualTo((short) 1);
            assertThat(created.configs()).anySatisfy(c -> {
                assertThat(c.name()).isEqualTo("retention.ms");
                assertThat(c.value()).isEqualTo("1000");
            });
        }
        if (v >= 7) {
            assertThat(created.topicId()).isEqualTo(topics.get("fresh").id());
        }
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("initProducerIdVersions")
    void initProducerId(short v) {
        ApiMessage idempotent = handle(initProducerId, v, new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(-1));
        ApiMessage transactional = handle(initProducerId, v, new InitProducerIdRequestData().setTransactionalId("tx-1").setTransactionTimeoutMs(60_000));

        InitProducerIdResponseData ok = ((InitProducerIdResponse) roundTrip(ApiKeys.INIT_PRODUCER_ID, v, idempotent)).data();
        InitProducerIdResponseData txn = ((InitProducerIdResponse) roundTrip(ApiKeys.INIT_PRODUCER_ID, v, transactional)).data();

        assertThat(ok.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(ok.producerId()).isEqualTo(1000L);
        assertThat(ok.producerEpoch()).isZero();
        assertThat(txn.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(txn.producerId()).isEqualTo(1001L);
        assertThat(txn.producerEpoch()).isZero();
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("produceVersions")
    void produce(short v) {
        boolean byId = v >= 13;
        MemoryRecords corrupt = records(-1, -1, "will be corrupted");
        corrupt.buffer().put(corrupt.sizeInBytes() - 2, (byte) 0x7F);
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        TopicProduceData ordersData = byId ? new TopicProduceData().setTopicId(orders.id()) : new TopicProduceData().setName("orders");
        ordersData.partitionData().add(new PartitionProduceData().setIndex(1).setRecords(records(-1, -1, "a", "b")));
        ordersData.partitionData().add(new PartitionProduceData().setIndex(2).setRecords(records(77, 0, "c")));
        ordersData.partitionData().add(new PartitionProduceData().setIndex(3).setRecords(corrupt));
        ordersData.partitionData().add(new PartitionProduceData().setIndex(9).setRecords(records(-1, -1, "d")));
        request.topicData().add(ordersData);
        TopicProduceData stamped = byId ? new TopicProduceData().setTopicId(topics.get("stamped").id()) : new TopicProduceData().setName("stamped");
        stamped.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records(-1, -1, "e")));
        request.topicData().add(stamped);
        TopicProduceData missing = byId ? new TopicProduceData().setTopicId(Uuid.randomUuid()) : new TopicProduceData().setName("missing");
        missing.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records(-1, -1, "f")));
        request.topicData().add(missing);
        long before = System.currentTimeMillis();

        ProduceResponseData parsed = ((ProduceResponse) roundTrip(ApiKeys.PRODUCE, v, handle(produce, v, request))).data();

        List<ProduceResponseData.TopicProduceResponse> topicResponses = new ArrayList<>(parsed.responses());
        assertThat(topicResponses).hasSize(3);
        if (byId) {
            assertThat(topicResponses.get(0).topicId()).isEqualTo(orders.id());
        } else {
            assertThat(topicResponses).extracting(ProduceResponseData.TopicProduceResponse::name)
                    .containsExactly("orders", "stamped", "missing");
        }
        List<PartitionProduceResponse> parts = topicResponses.get(0).partitionResponses();
        assertThat(parts).extracting(PartitionProduceResponse::index).containsExactly(1, 2, 3, 9);
        assertThat(parts).extracting(PartitionProduceResponse::errorCode).containsExactly(Errors.NONE.code(), Errors.NONE.code(),
                Errors.CORRUPT_MESSAGE.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(parts.get(0).baseOffset()).isZero();
        assertThat(parts.get(1).baseOffset()).isZero();
        assertThat(parts.get(2).baseOffset()).isEqualTo(-1);
        assertThat(parts.get(0).logAppendTimeMs()).isEqualTo(-1);
        if (v >= 5) {
            assertThat(parts.get(0).logStartOffset()).isZero();
        }
        if (v >= 8) {
            assertThat(parts.get(2).errorMessage()).isNotBlank();
        }
        PartitionProduceResponse stampedAnswer = topicResponses.get(1).partitionResponses().get(0);
        assertThat(stampedAnswer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(stampedAnswer.logAppendTimeMs()).isGreaterThanOrEqualTo(before);
        assertThat(topicResponses.get(2).partitionResponses()).singleElement().satisfies(p -> assertThat(p.errorCode())
                .isEqualTo(byId ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("listOffsetsVersions")
    void listOffsets(short v) {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
        ListOffsetsTopic ordersTopic = new ListOffsetsTopic().setName("orders");
        ordersTopic.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(1500));
        ordersTopic.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
        ordersTopic.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(ListOffsetsRequest.EARLIEST_TIMESTAMP));
        ordersTopic.partitions().add(new ListOffsetsPartition().setPartitionIndex(1).setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
        ordersTopic.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(9999));
        ordersTopic.partitions().add(new ListOffsetsPartition().setPartitionIndex(9).setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
        if (v >= 7) {
            ordersTopic.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(ListOffsetsRequest.MAX_TIMESTAMP));
        }
        request.topics().add(ordersTopic);
        ListOffsetsTopic missing = new ListOffsetsTopic().setName("missing");
        missing.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(ListOffsetsRequest.EARLIEST_TIMESTAMP));
        request.topics().add(missing);

        ListOffsetsResponseData parsed = ((ListOffsetsResponse) roundTrip(ApiKeys.LIST_OFFSETS, v,
                handle(listOffsets, v, request))).data();

        assertThat(parsed.topics()).extracting(ListOffsetsResponseData.ListOffsetsTopicResponse::name).containsExactly("orders", "missing");
        List<ListOffsetsPartitionResponse> p = parsed.topics().get(0).partitions();
        assertThat(p).extracting(ListOffsetsPartitionResponse::errorCode).startsWith(Errors.NONE.code(), Errors.NONE.code(),
                Errors.NONE.code(), Errors.NONE.code(), Errors.NONE.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(p.get(0).offset()).isEqualTo(1);
        assertThat(p.get(0).timestamp()).isEqualTo(2000);
        assertThat(p.get(1).offset()).isEqualTo(3);
        assertThat(p.get(2).offset()).isZero();
        assertThat(p.get(3).offset()).isZero();
        assertThat(p.get(4).offset()).as("no record at or after the timestamp").isEqualTo(-1);
        if (v >= 4) {
            assertThat(p.get(0).leaderEpoch()).isZero();
        }
        if (v >= 7) {
            assertThat(p.get(6).offset()).isEqualTo(2);
            assertThat(p.get(6).timestamp()).isEqualTo(3000);
        }
        assertThat(parsed.topics().get(1).partitions()).singleElement()
                .satisfies(x -> assertThat(x.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
    }

    private FetchRequestData fetchRequest(short v) {
        boolean byId = v >= 13;
        FetchRequestData request = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20);
        FetchTopic ordersTopic = byId ? new FetchTopic().setTopicId(orders.id()) : new FetchTopic().setTopic("orders");
        ordersTopic.partitions().add(new FetchPartition().setPartition(0).setFetchOffset(1).setPartitionMaxBytes(1 << 20));
        ordersTopic.partitions().add(new FetchPartition().setPartition(1).setFetchOffset(0).setPartitionMaxBytes(1 << 20));
        ordersTopic.partitions().add(new FetchPartition().setPartition(2).setFetchOffset(5).setPartitionMaxBytes(1 << 20));
        ordersTopic.partitions().add(new FetchPartition().setPartition(9).setFetchOffset(0).setPartitionMaxBytes(1 << 20));
        request.topics().add(ordersTopic);
        FetchTopic missing = byId ? new FetchTopic().setTopicId(Uuid.randomUuid()) : new FetchTopic().setTopic("missing");
        missing.partitions().add(new FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20));
        request.topics().add(missing);
        return request;
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("fetchVersions")
    void fetch(short v) {
        FetchResponseData parsed = ((FetchResponse) roundTrip(ApiKeys.FETCH, v, handle(fetch, v, fetchRequest(v)))).data();

        assertThat(parsed.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(parsed.responses()).hasSize(2);
        if (v >= 13) {
            assertThat(parsed.responses().get(0).topicId()).isEqualTo(orders.id());
        } else {
            assertThat(parsed.responses().get(0).topic()).isEqualTo("orders");
        }
        List<PartitionData> p = parsed.responses().get(0).partitions();
        assertThat(p).extracting(PartitionData::errorCode).containsExactly(Errors.NONE.code(), Errors.NONE.code(),
                Errors.OFFSET_OUT_OF_RANGE.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(p.get(0).highWatermark()).isEqualTo(3);
        assertThat(p.get(0).lastStableOffset()).isEqualTo(3);
        if (v >= 5) {
            assertThat(p.get(0).logStartOffset()).isZero();
        }
        List<Record> fetched = new ArrayList<>();
        FetchResponse.recordsOrFail(p.get(0)).batches().forEach(batch -> {
            batch.ensureValid();
            batch.forEach(fetched::add);
        });
        assertThat(fetched).extracting(Record::offset).containsExactly(1L, 2L);
        assertThat(fetched).extracting(r -> s(r.value())).containsExactly("v1", "v2");
        assertThat(fetched).extracting(Record::timestamp).containsExactly(2000L, 3000L);
        assertThat(p.get(1).highWatermark()).isZero();
        assertThat(FetchResponse.recordsSize(p.get(1))).isZero();
        assertThat(parsed.responses().get(1).partitions()).singleElement().satisfies(x -> assertThat(x.errorCode())
                .isEqualTo(v >= 13 ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
    }

    static Stream<Short> fetchSessionVersions() {
        return versions(7, 18);
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("fetchSessionVersions")
    void fetchWithAnUnknownSession(short v) {
        FetchRequestData request = fetchRequest(v).setSessionId(12).setSessionEpoch(3);

        FetchResponseData parsed = ((FetchResponse) roundTrip(ApiKeys.FETCH, v, handle(fetch, v, request))).data();

        assertThat(parsed.errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        assertThat(parsed.responses()).isEmpty();
    }

    @Test
    void pooledAndUnpooledAllocatorsWriteTheSameBytes() {
        short v = 18;
        ApiMessage data = handle(fetch, v, fetchRequest(v));
        ByteBuf unpooled = ResponseEncoder.encode(UnpooledByteBufAllocator.DEFAULT, 7, ApiKeys.FETCH.responseHeaderVersion(v), data, v);
        ByteBuf pooled = ResponseEncoder.encode(PooledByteBufAllocator.DEFAULT, 7, ApiKeys.FETCH.responseHeaderVersion(v), data, v);
        try {
            assertThat(pooled.readerIndex()).isZero();
            assertThat(ByteBufUtil.getBytes(pooled)).isEqualTo(ByteBufUtil.getBytes(unpooled));
        } finally {
            unpooled.release();
            pooled.release();
        }
    }
}
