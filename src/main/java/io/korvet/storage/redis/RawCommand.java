package io.korvet.storage.redis;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A command Korvet encoded itself, off Lettuce's I/O thread: its RESP bytes, and optionally the bytes of its
 * last argument, written from their own buffer into the connection's (no copy into an array of their own).
 */
final class RawCommand<T> extends Command<byte[], byte[], T> {

    private static final byte[] CRLF = {'\r', '\n'};

    /**
     * MULTI and EXEC under names of their own: Lettuce tracks a connection's transaction when it sees those
     * names and would take Korvet's replies into its own result object.
     */
    enum Keyword implements ProtocolKeyword {
        KORVET_MULTI, KORVET_EXEC;

        @Override
        public byte[] getBytes() {
            return name().getBytes(StandardCharsets.US_ASCII);
        }

        /** The command Redis runs: MULTI, EXEC. */
        String command() {
            return name().substring("KORVET_".length());
        }
    }

    private final byte[] head;
    private final ByteBuffer last;

    /**
     * @param head the command's RESP bytes; when {@code last} is given, up to the head of that argument
     *             ({@link RespWriter#bulkHeader})
     * @param last the bytes of the last argument, or null (its position does not move)
     */
    RawCommand(ProtocolKeyword type, CommandOutput<byte[], byte[], T> output, byte[] head, ByteBuffer last) {
        this(type, output, head, last, null);
    }

    /**
     * @param key the command's first key, which a Redis Cluster connection routes it by (its arguments are not
     *            encoded from there: {@link #encode} writes {@code head})
     */
    RawCommand(ProtocolKeyword type, CommandOutput<byte[], byte[], T> output, byte[] head, ByteBuffer last, byte[] key) {
        super(type, output, key == null ? new CommandArgs<>(ByteArrayCodec.INSTANCE) : new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(key));
        this.head = head;
        this.last = last;
    }

    @Override
    public void encode(ByteBuf buf) {
        buf.writeBytes(head);
        if (last != null) {
            buf.writeBytes(last.duplicate());
            buf.writeBytes(CRLF);
        }
    }

    @Override
    public String toString() {
        return getType() + " (" + (head.length + (last == null ? 0 : last.remaining())) + " bytes)";
    }
}
