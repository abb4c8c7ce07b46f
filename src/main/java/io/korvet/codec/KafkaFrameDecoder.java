package io.korvet.codec;

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
    private boolean discarding;

    /** A frame that cannot be read; the connection must close. */
    public record InvalidFrame(String reason) {
    }

    public KafkaFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
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
        if (size < 0 || size > maxFrameBytes) {
            discarding = true;
            in.skipBytes(in.readableBytes());
            out.add(new InvalidFrame("request size " + size + " is " + (size < 0 ? "negative" : "over the limit")
                    + " (socket.request.max.bytes is " + maxFrameBytes + ")"));
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
