package io.korvet.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class AppendCommandTest {

    private static final byte[] NEXT = "{korvet:orders:7}:next".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEADER_KEY = "{korvet:orders:7}:leader".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEADER = "12 3".getBytes(StandardCharsets.UTF_8);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The same EVALSHA built the ordinary way, from Lettuce's argument objects and the entry's named fields. */
    private static byte[] lettuceEncoding(byte[] sha, byte[] key, long base, BatchHeader header, List<NewRecord> records) {
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE)
                .add(sha).add(3).addKey(key).addKey(NEXT).addKey(LEADER_KEY).add(b(Long.toString(base))).add(LEADER);
        long offset = base;
        for (NewRecord r : records) {
            // append.lua's layout: ID, shape (the first letter of each field name after ts), ts, other values.
            byte[][] fields = EntryFields.of(r, offset == base ? header : null);
            assertThat(new String(fields[0], StandardCharsets.US_ASCII)).isEqualTo("ts");
            StringBuilder shape = new StringBuilder();
            for (int f = 2; f < fields.length; f += 2) {
                shape.append((char) fields[f][0]);
            }
            args.add(b(StreamEntryCodec.entryId(offset++))).add(b(shape.toString())).add(fields[1]);
            for (int f = 3; f < fields.length; f += 2) {
                args.add(fields[f]);
            }
        }
        ByteBuf buf = Unpooled.buffer();
        new Command<>(CommandType.EVALSHA, null, args).encode(buf);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    @Test
    void encodesExactlyWhatLettuceWouldSend() {
        byte[] sha = b("0123456789abcdef0123456789abcdef01234567");
        byte[] key = b("korvet:orders:7");
        BatchHeader header = new BatchHeader(123456789L, (short) 3, 41, 5, BatchHeader.CREATE_TIME);
        List<NewRecord> records = new ArrayList<>();
        records.add(new NewRecord(1_700_000_000_000L, b("k"), b("v"), new Header[] {new RecordHeader("h", b("x"))}));
        records.add(new NewRecord(-1, null, null, null));
        records.add(new NewRecord(0, new byte[0], new byte[0], new Header[0]));
        records.add(new NewRecord(Long.MAX_VALUE, null, new byte[70_000], null));
        records.add(new NewRecord(5, b("key only"), null, new Header[] {new RecordHeader("n", null)}));

        for (long base : new long[] {0, 9, 10, 99_999, 9_223_372_036_854_775_000L}) {
            byte[] ours = AppendCommand.encode(sha, key, NEXT, LEADER_KEY, base, LEADER, header, records);
            assertThat(ours).as("base %d", base).isEqualTo(lettuceEncoding(sha, key, base, header, records));
            assertThat(AppendCommand.encode(sha, key, NEXT, LEADER_KEY, base, LEADER, null, records.subList(1, 2)))
                    .isEqualTo(lettuceEncoding(sha, key, base, null, records.subList(1, 2)));
        }
    }

    @Test
    void numberLengthsMatchTheirDigits() {
        for (long n : new long[] {0, 9, 10, -1, -10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThat(RespWriter.numberLength(n)).as("%d", n).isEqualTo(Long.toString(n).length());
        }
    }
}
