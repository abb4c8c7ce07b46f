package io.korvet.dispatch;

import io.korvet.codec.KafkaFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import io.korvet.security.AclAuthorizer;
import io.korvet.security.ClientSession;
import io.korvet.security.SaslAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each request frame, checks its API and version once for all APIs, runs its handler, and
 * writes the responses in request order, however the handlers complete. One instance per connection.
 *
 * <p>As Kafka does, a request for an unknown API, a version not supported, or a body that cannot be
 * parsed closes the connection, except ApiVersions at an unknown version, which is answered at v0 with
 * UNSUPPORTED_VERSION and the full list (KIP-511).
 */
public final class RequestDispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);
    /** Past this many unanswered requests the connection stops reading until some are answered. */
    private static final int MAX_IN_FLIGHT = 1000;

    private final HandlerRegistry registry;
    private ClientSession session;
    private final SaslAuthenticator authenticator;
    private final AclAuthorizer authorizer;
    private final RequestObserver observer;
    private final AtomicInteger inFlight;
    private final RequestMemoryBudget budget;
    private final OrderedResponses pending = new OrderedResponses();
    private final ConnectionCloseHooks closeHooks = new ConnectionCloseHooks();
    private final Runnable wakeWhenRoom = () -> this.ctx.executor().execute(this::roomAvailable);
    private ChannelHandlerContext ctx;
    private ReadGate gate;
    private final ConnectionMute mute = ms -> this.ctx.executor().execute(() -> gate.muteFor(ms));

    /**
     * @param inFlight counts the broker's unanswered requests, so that shutdown can wait for them
     * @param budget the broker-wide bound on the bytes of unanswered requests
     */
    public RequestDispatcher(HandlerRegistry registry, AtomicInteger inFlight, RequestMemoryBudget budget) {
        this(registry, inFlight, budget, null, null, null, RequestObserver.NONE);
    }

    /**
     * @param session the connection's security session (null: a PLAINTEXT connection)
     * @param authenticator takes the raw tokens that follow a SaslHandshake v0
     * @param authorizer the ACLs, or null when they are off
     * @param observer told of every request answered (the metrics)
     */
    public RequestDispatcher(HandlerRegistry registry, AtomicInteger inFlight, RequestMemoryBudget budget, ClientSession session,
                             SaslAuthenticator authenticator, AclAuthorizer authorizer, RequestObserver observer) {
        this.registry = registry;
        this.observer = observer;
        this.authorizer = authorizer;
        this.session = session;
        this.authenticator = authenticator;
        this.inFlight = inFlight;
        this.budget = budget;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.gate = new ReadGate(ctx.channel());
        if (session == null) {
            session = ClientSession.plaintext();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof KafkaFrameDecoder.InvalidFrame invalid) {
            closeWith(invalid.reason());
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        if (gate.closing()) {
            frame.release();
            return;
        }
        ByteBuffer buffer;
        try {
            byte[] copy = new byte[frame.readableBytes()];
            frame.readBytes(copy);
            buffer = ByteBuffer.wrap(copy);
        } finally {
            frame.release();
        }
        if (session.rawTokens()) {
            rawToken(buffer);
            return;
        }
        dispatch(buffer);
    }

    /** A SASL token sent as a bare frame after SaslHandshake v0, answered with a bare frame. */
    private void rawToken(ByteBuffer buffer) {
        byte[] token = new byte[buffer.remaining()];
        buffer.get(token);
        OrderedResponses.Pending p = pending.add(-1, (short) 0, (short) 0, true);
        authenticator.authenticate(session, token, (short) -1).whenComplete((answer, error) -> {
            if (error == null && answer.error() == Errors.NONE) {
                p.rawToken = answer.token();
            } else if (error != null) {
                log.error("SASL token from {} could not be evaluated", ctx.channel().remoteAddress(), error);
                session.fail();
            }
            p.response.complete(null);
            ctx.executor().execute(this::flushCompleted);
        });
    }

    private void dispatch(ByteBuffer buffer) {
        if (buffer.remaining() < 8) {
            closeWith("a request of " + buffer.remaining() + " bytes is too short for a request header");
            return;
        }
        short apiKeyId = buffer.getShort(0);
        short version = buffer.getShort(2);
        if (!ApiKeys.hasId(apiKeyId)) {
            closeWith("unknown API key " + apiKeyId);
            return;
        }
        ApiKeys apiKey = ApiKeys.forId(apiKeyId);
        String refusal = session.refusal(apiKey, System.nanoTime());
        if (refusal != null) {
            closeWith(refusal);
            return;
        }
        if (apiKey == ApiKeys.API_VERSIONS && !registry.supports(apiKey, version)) {
            answerUnsupportedApiVersions(buffer.getInt(4), version);
            return;
        }
        if (!registry.supports(apiKey, version)) {
            closeWith(registry.get(apiKey) == null
                    ? "API " + apiKey + " (key " + apiKeyId + ") is not supported"
                    : "version " + version + " of " + apiKey + " is not supported (supported: "
                            + registry.get(apiKey).minVersion() + " to " + registry.get(apiKey).maxVersion() + ")");
            return;
        }
        RequestHeader header;
        AbstractRequest body;
        try {
            header = RequestHeader.parse(buffer);
            body = AbstractRequest.parseRequest(apiKey, version, new ByteBufferAccessor(buffer)).request;
            // A string that is not UTF-8 is read with replacement characters and may then be too long to be
            // written again: such a request is malformed, as its answer, which echoes its strings, cannot be sent.
            body.data().size(new ObjectSerializationCache(), version);
        } catch (RuntimeException e) {
            closeWith("malformed " + apiKey + " v" + version + " request: " + e.getMessage());
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("{} v{} correlation {} from {} ({})", apiKey, version, header.correlationId(),
                    ctx.channel().remoteAddress(), header.clientId());
        }
        boolean expectsResponse = !(body instanceof ProduceRequest produce && produce.acks() == 0);
        OrderedResponses.Pending p = pending.add(header.correlationId(), apiKey.responseHeaderVersion(version), version,
                expectsResponse);
        inFlight.incrementAndGet();
        long frameBytes = buffer.capacity();
        budget.acquire(frameBytes);
        if (pending.size() >= MAX_IN_FLIGHT) {
            gate.tooManyInFlight(true);
        }
        if (!gate.waitingForRoom() && budget.exhausted()) {
            gate.waitingForRoom(budget.awaitRoom(wakeWhenRoom));
        }
        CompletionStage<ApiMessage> stage;
        try {
            stage = invoke(registry.get(apiKey), new RequestContext(header, ctx.channel().remoteAddress(), closeHooks, session, authorizer,
                    (int) frameBytes, mute), body);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        long started = System.nanoTime();
        stage.whenComplete((response, error) -> {
            try {
                observer.answered(apiKey, version, error == null ? Errors.NONE
                        : ErrorMapper.toError(io.korvet.Failures.cause(error), apiKey), System.nanoTime() - started);
                complete(p, apiKey, version, body, response, error);
            } catch (RuntimeException e) {
                log.error("{} v{} from {}: cannot build the error response", apiKey, version, ctx.channel().remoteAddress(), e);
                p.response.complete(null);
                ctx.executor().execute(() -> closeWith("no response could be built for " + apiKey));
            } finally {
                inFlight.decrementAndGet();
                budget.release(frameBytes);
                if (ctx.executor().inEventLoop()) {
                    flushCompleted();
                } else {
                    ctx.executor().execute(this::flushCompleted);
                }
            }
        });
    }

    private void complete(OrderedResponses.Pending p, ApiKeys apiKey, short version, AbstractRequest body, ApiMessage response, Throwable error) {
        ApiMessage result = response;
        if (error != null) {
                Throwable cause = io.korvet.Failures.cause(error);
                Errors code = ErrorMapper.toError(cause, apiKey);
                if (code == Errors.UNKNOWN_SERVER_ERROR) {
                    log.error("{} v{} from {} failed", apiKey, version, ctx.channel().remoteAddress(), cause);
                } else {
                    log.warn("{} v{} from {} answered {}: {}", apiKey, version, ctx.channel().remoteAddress(), code, cause.getMessage());
                }
                if (p.expectsResponse) {
                    result = body.getErrorResponse(0, ErrorMapper.toApiException(cause, apiKey)).data();
                } else {
                    // The client expects no answer: closing the connection is how it learns of the failure.
                    result = null;
                    ctx.executor().execute(() -> closeWith(apiKey + " without response failed: " + cause.getMessage()));
                }
            }
            p.response.complete(result);
    }

    @SuppressWarnings("unchecked")
    private static <R extends AbstractRequest> CompletionStage<ApiMessage> invoke(ApiHandler<R> handler, RequestContext context, AbstractRequest body) {
        return handler.handle(context, (R) body);
    }

    /** Writes every response at the head of the queue that is ready, in request order. */
    private void flushCompleted() {
        if (!pending.writeReady(ctx)) {
            return;
        }
        if (session.failed() && !gate.closing()) {
            // The failure was logged where it happened; nothing read after it is processed.
            gate.close();
        }
        if (gate.closing() && pending.isEmpty()) {
            ctx.close();
            return;
        }
        if (gate.tooManyInFlight() && pending.size() < MAX_IN_FLIGHT / 2) {
            gate.tooManyInFlight(false);
        }
    }

    private void roomAvailable() {
        gate.waitingForRoom(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        budget.cancel(wakeWhenRoom);
        // Work waiting only to answer this client (long polls) stops now rather than at its deadline.
        closeHooks.close();
        super.channelInactive(ctx);
    }

    private void answerUnsupportedApiVersions(int correlationId, short version) {
        log.info("ApiVersions v{} from {} is newer than supported; answering v0 with UNSUPPORTED_VERSION",
                version, ctx.channel().remoteAddress());
        ApiVersionsResponseData data = new ApiVersionsResponseData()
                .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                .setApiKeys(registry.apiVersions());
        // Answered at v0 (header v0), in order behind anything still pending on this connection.
        OrderedResponses.Pending p = pending.add(correlationId, (short) 0, (short) 0, true);
        p.response.complete(data);
        flushCompleted();
    }

    /**
     * Closes the connection once the requests read before this point are answered, as Kafka (which reads
     * one request at a time per connection) does; nothing read after it is processed.
     */
    private void closeWith(String reason) {
        if (gate.closing()) {
            return;
        }
        log.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
        gate.close();
        flushCompleted();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // A client that reset its connection: as ordinary as a close, and a burst of them must not flood the log.
            log.debug("Closing connection from {} after an I/O error: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("Closing connection from {} after an error: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
