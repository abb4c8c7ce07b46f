package io.korvet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns Kafka's 4-byte length prefix: hands on exactly one request frame (without the prefix) at a time,
 * and closes the connection, as Kafka does, on a negative size or one over {@code socket.request.max.bytes}.
 */
public final class KafkaFrameDecoder extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(KafkaFrameDecoder.class);

    private final int maxFrameBytes;

    public KafkaFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int size = in.getInt(in.readerIndex());
        if (size < 0 || size > maxFrameBytes) {
            log.warn("Closing connection from {}: request size {} is {} (socket.request.max.bytes is {})",
                    ctx.channel().remoteAddress(), size, size < 0 ? "negative" : "over the limit", maxFrameBytes);
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (in.readableBytes() < 4 + size) {
            return;
        }
        in.skipBytes(4);
        out.add(in.readRetainedSlice(size));
    }
}
