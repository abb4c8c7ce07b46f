package io.korvet.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.codec.KafkaFrameDecoder;
import io.korvet.storage.StorageException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestDispatcherTest {

    private static final short METADATA_V = 9;
    private static final short API_VERSIONS_V = 3;
    private static final short PRODUCE_V = 9;

    /** A handler whose responses the test completes, in any order. */
    static final class ManualHandler<R extends AbstractRequest> implements ApiHandler<R> {
        final ApiKeys key;
        final short min;
        final short max;
        final List<CompletableFuture<ApiMessage>> calls = new ArrayList<>();
        final List<R> requests = new ArrayList<>();
        RuntimeException throwOnHandle;

        ManualHandler(ApiKeys key, int min, int max) {
            this.key = key;
            this.min = (short) min;
            this.max = (short) max;
        }

        @Override
        public ApiKeys apiKey() {
            return key;
        }

        @Override
        public short minVersion() {
            return min;
        }

        @Override
        public short maxVersion() {
            return max;
        }

        @Override
        public CompletionStage<ApiMessage> handle(RequestContext context, R request) {
            if (throwOnHandle != null) {
                throw throwOnHandle;
            }
            CompletableFuture<ApiMessage> f = new CompletableFuture<>();
            calls.add(f);
            requests.add(request);
            return f;
        }
    }

    private final ManualHandler<MetadataRequest> metadata = new ManualHandler<>(ApiKeys.METADATA, 0, 12);
    private final ManualHandler<ApiVersionsRequest> apiVersions = new ManualHandler<>(ApiKeys.API_VERSIONS, 0, 4);
    private final ManualHandler<ProduceRequest> produce = new ManualHandler<>(ApiKeys.PRODUCE, 3, 11);
    private final HandlerRegistry registry = new HandlerRegistry().register(metadata).register(apiVersions).register(produce);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(1 << 20), new RequestDispatcher(registry, inFlight, RequestMemoryBudget.unbounded()));

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    // ---- requests ----

    private void send(AbstractRequest request, int correlationId) {
        ByteBuffer b = request.serializeWithHeader(new RequestHeader(request.apiKey(), request.version(), "client", correlationId));
        sendFrame(Unpooled.wrappedBuffer(b));
    }

    private void sendFrame(ByteBuf body) {
        ByteBuf frame = Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body);
        body.release();
        channel.writeInbound(frame);
    }

    /** A request header v1 (key, version, correlation id, client id) followed by {@code body}. */
    private void sendRaw(int apiKey, int version, int correlationId, byte[] body) {
        byte[] client = "client".getBytes(StandardCharsets.UTF_8);
        ByteBuf b = Unpooled.buffer()
                .writeShort(apiKey).writeShort(version).writeInt(correlationId)
                .writeShort(client.length).writeBytes(client)
                .writeBytes(body);
        sendFrame(b);
    }

    private static MetadataRequest metadataRequest(String topic) {
        return new MetadataRequest.Builder(List.of(topic), false, METADATA_V, METADATA_V).build(METADATA_V);
    }

    private static ApiVersionsRequest apiVersionsRequest() {
        return new ApiVersionsRequest(new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1.0"),
                API_VERSIONS_V);
    }

    private static ProduceRequest produceRequest(short acks) {
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(1000);
        TopicProduceData td = new TopicProduceData().setName("t");
        td.partitionData().add(new PartitionProduceData().setIndex(0)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8)))));
        data.topicData().add(td);
        return new ProduceRequest(data, PRODUCE_V);
    }

    // ---- responses ----

    private record Response(int correlationId, AbstractResponse body) {
    }

    private Response readResponse(ApiKeys key, short version) {
        ByteBuf out = channel.readOutbound();
        assertThat(out).as("a response to a " + key + " request").isNotNull();
        try {
            int size = out.readInt();
            assertThat(out.readableBytes()).as("size prefix").isEqualTo(size);
            ByteBuffer nio = out.nioBuffer();
            ResponseHeader header = ResponseHeader.parse(nio, key.responseHeaderVersion(version));
            AbstractResponse body = AbstractResponse.parseResponse(key, new ByteBufferAccessor(nio), version);
            assertThat(nio.remaining()).as("bytes after the body").isZero();
            return new Response(header.correlationId(), body);
        } finally {
            out.release();
        }
    }

    private List<Integer> metadataCorrelationIdsWritten() {
        List<Integer> ids = new ArrayList<>();
        while (!channel.outboundMessages().isEmpty()) {
            Response r = readResponse(ApiKeys.METADATA, METADATA_V);
            ids.add(r.correlationId());
            // Each body carries its own correlation id as cluster id: header and body must belong together.
            assertThat(((MetadataResponse) r.body()).data().clusterId()).isEqualTo("c" + r.correlationId());
        }
        return ids;
    }

    private static MetadataResponseData metadataFor(int correlationId) {
        return new MetadataResponseData().setClusterId("c" + correlationId).setControllerId(0);
    }

    private void assertClosedWithoutResponse() {
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("connection open").isFalse();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    // ---- tests ----

    @Test
    void responsesAreWrittenInRequestOrderWhateverOrderHandlersComplete() {
        for (int corr = 1; corr <= 4; corr++) {
            send(metadataRequest("t" + corr), corr);
        }
        assertThat(metadata.calls).hasSize(4);
        assertThat(inFlight).hasValue(4);

        metadata.calls.get(3).complete(metadataFor(4));
        metadata.calls.get(1).complete(metadataFor(2));
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).as("nothing may overtake request 1").isEmpty();

        metadata.calls.get(0).complete(metadataFor(1));
        channel.runPendingTasks();
        assertThat(metadataCorrelationIdsWritten()).containsExactly(1, 2);

        metadata.calls.get(2).complete(metadataFor(3));
        channel.runPendingTasks();
        assertThat(metadataCorrelationIdsWritten()).containsExactly(3, 4);
        assertThat(inFlight).hasValue(0);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void differentApisAreOrderedTogetherWithTheirOwnHeaderVersions() {
        send(metadataRequest("a"), 10);
        send(apiVersionsRequest(), 11);

        apiVersions.calls.get(0).complete(new ApiVersionsResponseData().setApiKeys(registry.apiVersions()));
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).isEmpty();
        metadata.calls.get(0).complete(metadataFor(10));
        channel.runPendingTasks();

        assertThat(readResponse(ApiKeys.METADATA, METADATA_V).correlationId()).isEqualTo(10);
        Response av = readResponse(ApiKeys.API_VERSIONS, API_VERSIONS_V);
        assertThat(av.correlationId()).isEqualTo(11);
        assertThat(((ApiVersionsResponse) av.body()).data().apiKeys()).hasSize(3);
    }

    @Test
    void handlerSeesTheParsedRequest() {
        send(metadataRequest("orders"), 5);

        assertThat(metadata.requests).singleElement()
                .satisfies(r -> assertThat(r.topics()).containsExactly("orders"))
                .satisfies(r -> assertThat(r.version()).isEqualTo(METADATA_V));
    }

    @Test
    void unknownApiKeyClosesTheConnection() {
        sendRaw(9999, 0, 1, new byte[8]);

        assertClosedWithoutResponse();
        assertThat(metadata.calls).isEmpty();
    }

    @Test
    void knownButUnregisteredApiClosesTheConnection() {
        // FindCoordinator v0: a coordinator key string.
        sendRaw(ApiKeys.FIND_COORDINATOR.id, 0, 1, new byte[] {0, 1, 'g'});

        assertClosedWithoutResponse();
    }

    @Test
    void registeredApiAtUnsupportedVersionClosesTheConnection() {
        send(new MetadataRequest.Builder(List.of("t"), false, (short) 13, (short) 13).build((short) 13), 1);

        assertClosedWithoutResponse();
        assertThat(metadata.calls).isEmpty();
    }

    @Test
    void unparsableBodyClosesTheConnection() {
        // Metadata v9 is flexible: a client id then a tagged-field section; 0xFF bytes are no valid body.
        sendRaw(ApiKeys.METADATA.id, METADATA_V, 1, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});

        assertClosedWithoutResponse();
        assertThat(metadata.calls).isEmpty();
    }

    @Test
    void frameTooShortForAHeaderClosesTheConnection() {
        sendFrame(Unpooled.buffer().writeShort(ApiKeys.METADATA.id).writeShort(1));

        assertClosedWithoutResponse();
    }

    @Test
    void apiVersionsAtUnknownVersionIsAnsweredAtV0WithTheFullList() {
        sendRaw(ApiKeys.API_VERSIONS.id, 99, 42, new byte[] {1, 2, 3});
        channel.runPendingTasks();

        ByteBuf out = channel.readOutbound();
        assertThat(out).isNotNull();
        try {
            assertThat(out.readInt()).isEqualTo(out.readableBytes());
            ByteBuffer nio = out.nioBuffer();
            assertThat(ResponseHeader.parse(nio, (short) 0).correlationId()).isEqualTo(42);
            ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(nio), (short) 0);
            assertThat(nio.remaining()).isZero();
            assertThat(data.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code()).isEqualTo((short) 35);
            assertThat(data.apiKeys()).containsExactlyInAnyOrder(
                    new ApiVersion().setApiKey(ApiKeys.METADATA.id).setMinVersion((short) 0).setMaxVersion((short) 12),
                    new ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id).setMinVersion((short) 0).setMaxVersion((short) 4),
                    new ApiVersion().setApiKey(ApiKeys.PRODUCE.id).setMinVersion((short) 3).setMaxVersion((short) 11));
        } finally {
            out.release();
        }
        assertThat(channel.isOpen()).isTrue();
        assertThat(apiVersions.calls).isEmpty();
    }

    @Test
    void unsupportedApiVersionsAnswerWaitsBehindEarlierRequests() {
        send(metadataRequest("a"), 1);
        sendRaw(ApiKeys.API_VERSIONS.id, 99, 2, new byte[0]);
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).isEmpty();

        metadata.calls.get(0).complete(metadataFor(1));
        channel.runPendingTasks();

        assertThat(readResponse(ApiKeys.METADATA, METADATA_V).correlationId()).isEqualTo(1);
        ByteBuf out = channel.readOutbound();
        assertThat(out).isNotNull();
        assertThat(out.getInt(4)).as("correlation id of the ApiVersions answer").isEqualTo(2);
        out.release();
    }

    @Test
    void produceWithAcksZeroGetsNoResponseButTheNextRequestDoes() {
        send(produceRequest((short) 0), 1);
        send(metadataRequest("a"), 2);
        send(produceRequest((short) 1), 3);

        // Even if a handler produced a body for acks=0, nothing may be written for it.
        produce.calls.get(0).complete(new ProduceResponseData());
        metadata.calls.get(0).complete(metadataFor(2));
        produce.calls.get(1).complete(new ProduceResponseData());
        channel.runPendingTasks();

        assertThat(readResponse(ApiKeys.METADATA, METADATA_V).correlationId()).isEqualTo(2);
        Response p = readResponse(ApiKeys.PRODUCE, PRODUCE_V);
        assertThat(p.correlationId()).isEqualTo(3);
        assertThat(p.body()).isInstanceOf(ProduceResponse.class);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(inFlight).hasValue(0);
    }

    @Test
    void acksZeroProduceStillHoldsItsPlaceInTheQueue() {
        send(produceRequest((short) 0), 1);
        send(metadataRequest("a"), 2);

        metadata.calls.get(0).complete(metadataFor(2));
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).as("a response may not overtake an unfinished produce").isEmpty();

        produce.calls.get(0).complete(null);
        channel.runPendingTasks();
        assertThat(metadataCorrelationIdsWritten()).containsExactly(2);
    }

    @Test
    void failedHandlerYieldsTheApisErrorResponseWithTheMappedCode() {
        send(metadataRequest("orders"), 1);
        send(metadataRequest("audit"), 2);
        StorageException.Fenced fenced = new StorageException.Fenced(5, 7);
        StorageException.Timeout timeout = new StorageException.Timeout("slow", null);

        metadata.calls.get(0).completeExceptionally(fenced);
        metadata.calls.get(1).completeExceptionally(new CompletionException(timeout));
        channel.runPendingTasks();

        Response first = readResponse(ApiKeys.METADATA, METADATA_V);
        assertThat(first.correlationId()).isEqualTo(1);
        assertThat(((MetadataResponse) first.body()).errors())
                .containsEntry("orders", ErrorMapper.toError(fenced))
                .containsEntry("orders", Errors.NOT_LEADER_OR_FOLLOWER);
        Response second = readResponse(ApiKeys.METADATA, METADATA_V);
        assertThat(second.correlationId()).isEqualTo(2);
        assertThat(((MetadataResponse) second.body()).errors()).containsEntry("audit", Errors.REQUEST_TIMED_OUT);
        assertThat(inFlight).hasValue(0);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void handlerThrowingYieldsUnknownServerError() {
        apiVersions.throwOnHandle = new IllegalStateException("bug in handler");

        send(apiVersionsRequest(), 8);
        channel.runPendingTasks();

        Response r = readResponse(ApiKeys.API_VERSIONS, API_VERSIONS_V);
        assertThat(r.correlationId()).isEqualTo(8);
        assertThat(((ApiVersionsResponse) r.body()).data().errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
        assertThat(inFlight).hasValue(0);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void oversizedFrameClosesTheConnection() {
        channel.writeInbound(Unpooled.buffer().writeInt((1 << 20) + 1).writeBytes(new byte[64]));

        assertClosedWithoutResponse();
    }

    @Test
    void negativeFrameSizeClosesTheConnection() {
        channel.writeInbound(Unpooled.buffer().writeInt(-5).writeBytes(new byte[64]));

        assertClosedWithoutResponse();
    }

    @Test
    void badRequestClosesOnlyAfterEarlierRequestsAreAnswered() {
        send(metadataRequest("a"), 1);
        sendRaw(9999, 0, 2, new byte[8]);
        send(metadataRequest("b"), 3);
        channel.runPendingTasks();

        assertThat(channel.isOpen()).as("open while request 1 is unanswered").isTrue();
        assertThat(metadata.calls).as("nothing after the bad request is processed").hasSize(1);

        metadata.calls.get(0).complete(metadataFor(1));
        channel.runPendingTasks();

        assertThat(readResponse(ApiKeys.METADATA, METADATA_V).correlationId()).isEqualTo(1);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void oversizedFrameClosesOnlyAfterEarlierRequestsAreAnswered() {
        send(metadataRequest("a"), 1);
        channel.writeInbound(Unpooled.buffer().writeInt(Integer.MAX_VALUE));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        metadata.calls.get(0).complete(metadataFor(1));
        channel.runPendingTasks();

        assertThat(readResponse(ApiKeys.METADATA, METADATA_V).correlationId()).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void failedAcksZeroProduceClosesTheConnectionWithoutResponse() {
        send(metadataRequest("a"), 1);
        send(produceRequest((short) 0), 2);

        metadata.calls.get(0).complete(metadataFor(1));
        produce.calls.get(0).completeExceptionally(new StorageException.Unavailable("redis down", null));
        channel.runPendingTasks();

        assertThat(readResponse(ApiKeys.METADATA, METADATA_V).correlationId()).isEqualTo(1);
        assertClosedWithoutResponse();
        assertThat(inFlight).hasValue(0);
    }

    @Test
    void connectionsStopReadingWhileTheBrokersRequestBytesAreSpentAndResumeWhenAnswered() {
        RequestMemoryBudget budget = new RequestMemoryBudget(100);
        EmbeddedChannel first = new EmbeddedChannel(new KafkaFrameDecoder(1 << 20), new RequestDispatcher(registry, inFlight, budget));
        EmbeddedChannel second = new EmbeddedChannel(new KafkaFrameDecoder(1 << 20), new RequestDispatcher(registry, inFlight, budget));
        try {
            writeRequest(first, metadataRequest("a-topic-name-long-enough-to-need-some-bytes"), 1);
            assertThat(budget.queuedBytes()).isPositive().isLessThan(100);
            assertThat(first.config().isAutoRead()).isTrue();

            writeRequest(second, metadataRequest("another-topic-name-long-enough-to-spend-the-rest"), 2);
            assertThat(budget.exhausted()).isTrue();
            assertThat(second.config().isAutoRead()).as("the connection that spent the budget stops reading").isFalse();
            // A connection that reads while the budget is spent stops too (its request is still taken).
            writeRequest(first, metadataRequest("x"), 3);
            assertThat(first.config().isAutoRead()).isFalse();
            assertThat(metadata.calls).hasSize(3);

            metadata.calls.get(0).complete(metadataFor(1));
            metadata.calls.get(1).complete(metadataFor(2));
            first.runPendingTasks();
            second.runPendingTasks();
            assertThat(budget.exhausted()).isFalse();
            assertThat(first.config().isAutoRead()).isTrue();
            assertThat(second.config().isAutoRead()).isTrue();

            metadata.calls.get(2).complete(metadataFor(3));
            first.runPendingTasks();
            assertThat(budget.queuedBytes()).isZero();
        } finally {
            first.finishAndReleaseAll();
            second.finishAndReleaseAll();
        }
    }

    private static void writeRequest(EmbeddedChannel target, AbstractRequest request, int correlationId) {
        ByteBuffer b = request.serializeWithHeader(new RequestHeader(request.apiKey(), request.version(), "client", correlationId));
        target.writeInbound(Unpooled.buffer().writeInt(b.remaining()).writeBytes(b));
    }
}
