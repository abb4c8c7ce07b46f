package io.korvet.dispatch;

import io.korvet.codec.ResponseEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's unanswered requests, in the order they came: however their handlers complete, the answers are
 * written in request order, as Kafka's clients require. Used on the connection's event loop only.
 */
final class OrderedResponses {

    private static final Logger log = LoggerFactory.getLogger(OrderedResponses.class);

    /** A request waiting for its turn to be answered. */
    static final class Pending {
        final int correlationId;
        final short headerVersion;
        final short version;
        final boolean expectsResponse;
        final CompletableFuture<ApiMessage> response = new CompletableFuture<>();
        /** A raw SASL token to send instead of a Kafka response (after SaslHandshake v0). */
        volatile byte[] rawToken;

        Pending(int correlationId, short headerVersion, short version, boolean expectsResponse) {
            this.correlationId = correlationId;
            this.headerVersion = headerVersion;
            this.version = version;
            this.expectsResponse = expectsResponse;
        }
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    /** Takes its place in line: a request just read. */
    Pending add(int correlationId, short headerVersion, short version, boolean expectsResponse) {
        Pending p = new Pending(correlationId, headerVersion, version, expectsResponse);
        pending.add(p);
        return p;
    }

    int size() {
        return pending.size();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /**
     * Writes every answer at the head of the line that is ready, and flushes. Returns false when an answer could not
     * be encoded: the connection is then closed.
     */
    boolean writeReady(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().response.isDone()) {
            Pending p = pending.poll();
            ApiMessage response = p.response.join();
            if (p.rawToken != null && ctx.channel().isActive()) {
                ByteBuf out = ctx.alloc().buffer(4 + p.rawToken.length);
                out.writeInt(p.rawToken.length).writeBytes(p.rawToken);
                ctx.write(out);
                wrote = true;
            } else if (p.expectsResponse && response != null && ctx.channel().isActive()) {
                try {
                    ctx.write(ResponseEncoder.encode(ctx.alloc(), p.correlationId, p.headerVersion, response, p.version));
                    wrote = true;
                } catch (RuntimeException e) {
                    log.error("Cannot encode the response to correlation id {} for {}; closing the connection",
                            p.correlationId, ctx.channel().remoteAddress(), e);
                    ctx.close();
                    return false;
                }
            }
        }
        if (wrote) {
            ctx.flush();
        }
        return true;
    }
}
