package io.korvet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** Writes a response, size-prefixed, with kafka-clients' own message serializers. */
public final class ResponseEncoder {

    private ResponseEncoder() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc, int correlationId, short headerVersion, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        int headerSize = header.size(cache, headerVersion);
        int bodySize = body.size(cache, version);
        ByteBuf out = alloc.heapBuffer(4 + headerSize + bodySize);
        ByteBuffer nio = out.internalNioBuffer(0, 4 + headerSize + bodySize);
        nio.putInt(headerSize + bodySize);
        ByteBufferAccessor accessor = new ByteBufferAccessor(nio);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        out.writerIndex(4 + headerSize + bodySize);
        return out;
    }
}
