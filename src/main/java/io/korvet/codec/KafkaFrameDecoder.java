package io.korvet.codec;

import io.korvet.security.ClientSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Owns Kafka's 4-byte length prefix: hands on exactly one request frame (without the prefix) at a time.
 * A negative size or one over {@code socket.request.max.bytes} hands on an {@link InvalidFrame} instead,
 * after which every byte is discarded: the dispatcher answers what came before and closes the
 * connection, as Kafka does. So does a frame that {@link RequestGuard} refuses: one kafka-clients would
 * take far too long to read.
 */
public final class KafkaFrameDecoder extends ByteToMessageDecoder {

    private final int maxFrameBytes;
    /** The connection's security session, whose frames before authentication are bounded tighter (null: none). */
    private final ClientSession session;
    private boolean discarding;

    /** A frame that cannot be read; the connection must close. */
    public record InvalidFrame(String reason) {
    }

    public KafkaFrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, null);
    }

    /**
     * @param session on a SASL listener, frames before authentication are bounded by {@code sasl.server.max.receive.size}
     *                as Kafka bounds them, so that an unauthenticated client cannot make the broker buffer 100 MB
     */
    public KafkaFrameDecoder(int maxFrameBytes, ClientSession session) {
        this.maxFrameBytes = maxFrameBytes;
        this.session = session;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int size = in.getInt(in.readerIndex());
        boolean unauthenticated = session != null && session.state() != ClientSession.State.AUTHENTICATED;
        int limit = unauthenticated ? Math.min(maxFrameBytes, session.listener().saslMaxReceiveSize()) : maxFrameBytes;
        if (size < 0 || size > limit) {
            discarding = true;
            in.skipBytes(in.readableBytes());
            out.add(new InvalidFrame("request size " + size + " is " + (size < 0 ? "negative" : "over the limit")
                    + (unauthenticated ? " (sasl.server.max.receive.size is " + limit + " before authentication)"
                            : " (socket.request.max.bytes is " + maxFrameBytes + ")")));
            return;
        }
        if (in.readableBytes() < 4 + size) {
            return;
        }
        String refused = RequestGuard.refusal(in.nioBuffer(in.readerIndex() + 4, size));
        if (refused != null) {
            discarding = true;
            in.skipBytes(in.readableBytes());
            out.add(new InvalidFrame(refused));
            return;
        }
        in.skipBytes(4);
        out.add(in.readRetainedSlice(size));
    }
}
