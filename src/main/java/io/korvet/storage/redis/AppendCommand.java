package io.korvet.storage.redis;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The EVALSHA of append.lua for one batch, encoded once, by the thread that handles the Produce request:
 * {@code EVALSHA <sha> 1 <stream> <expected next offset>}, then per record its entry ID, its field count
 * and its fields (see append.lua). Building it from Lettuce's argument objects (one per field, each
 * encoded on Lettuce's single I/O thread, numbers through Long.toString) cost the broker more CPU per
 * record than anything else in a produce profile.
 */
final class AppendCommand extends Command<byte[], byte[], List<Object>> {

    private static final byte[] EVALSHA = "EVALSHA".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE_KEY = {'1'};

    private final byte[] encoded;

    AppendCommand(byte[] sha, byte[] key, long baseOffset, BatchHeader header, List<NewRecord> records) {
        super(CommandType.EVALSHA, new NestedMultiOutput<>(ByteArrayCodec.INSTANCE), new CommandArgs<>(ByteArrayCodec.INSTANCE));
        this.encoded = encode(sha, key, baseOffset, header, records);
    }

    static byte[] encode(byte[] sha, byte[] key, long baseOffset, BatchHeader header, List<NewRecord> records) {
        int args = 5;
        int bytes = 128 + key.length;
        for (int i = 0; i < records.size(); i++) {
            NewRecord r = records.get(i);
            args += 2 + 2 * StreamEntryCodec.fieldCount(r, i == 0 ? header : null);
            bytes += 160 + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        }
        RespWriter out = new RespWriter(bytes);
        out.array(args).bulk(EVALSHA).bulk(sha).bulk(ONE_KEY).bulk(key).bulk(baseOffset);
        StreamEntryCodec.FieldSink fields = new StreamEntryCodec.FieldSink() {
            @Override
            public void field(byte[] name, byte[] value) {
                out.bulk(name).bulk(value);
            }

            @Override
            public void field(byte[] name, long number) {
                out.bulk(name).bulk(number);
            }
        };
        long offset = baseOffset;
        for (int i = 0; i < records.size(); i++) {
            NewRecord r = records.get(i);
            BatchHeader batch = i == 0 ? header : null;
            out.bulkNumber(offset++, StreamEntryCodec.ENTRY_ID_SUFFIX).bulk(StreamEntryCodec.fieldCount(r, batch));
            StreamEntryCodec.writeFields(r, batch, fields);
        }
        return out.toByteArray();
    }

    @Override
    public void encode(ByteBuf buf) {
        buf.writeBytes(encoded);
    }

    @Override
    public String toString() {
        return "EVALSHA append (" + encoded.length + " bytes)";
    }
}
