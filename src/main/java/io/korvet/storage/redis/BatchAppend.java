package io.korvet.storage.redis;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewBatch;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The append of one batch to a {@code batch}-format stream, as one Redis transaction whose bytes never pass
 * through Lua (Redis hashes every byte of a Lua string; see append_fence.lua):
 * <pre>
 * MULTI
 * EVALSHA &lt;append_fence&gt; 4 &lt;stream&gt; &lt;next key&gt; &lt;appending key&gt; &lt;leader key&gt; &lt;base&gt; &lt;base + count&gt; &lt;leader&gt;
 * XADD &lt;appending key&gt; NOMKSTREAM &lt;last offset&gt;-1 base &lt;base&gt; count .. maxts .. pid .. epoch .. seq .. flags .. data &lt;batch&gt;
 * RENAME &lt;appending key&gt; &lt;stream&gt;
 * EXEC
 * </pre>
 * The fence moves the stream to the appending key only when the log ends where the leader expects and the leader
 * key still names this broker's claim, so the
 * XADD writes nothing otherwise. The five must reach Redis back to back: {@link RedisConnector#dispatchTogether}.
 */
final class BatchAppend {

    private static final byte[] MULTI = new RespWriter(16).array(1).bulk(bytes("MULTI")).toByteArray();
    private static final byte[] EXEC = new RespWriter(16).array(1).bulk(bytes("EXEC")).toByteArray();
    private static final byte[] EVALSHA = bytes("EVALSHA");
    private static final byte[] XADD = bytes("XADD");
    private static final byte[] RENAME = bytes("RENAME");
    private static final byte[] NOMKSTREAM = bytes("NOMKSTREAM");
    private static final byte[] FOUR_KEYS = {'4'};
    private static final byte[] SIX_KEYS = {'6'};
    private static final byte[][] FIELDS = names("base", "count", "maxts", "pid", "epoch", "seq", "flags", "data");

    /** MULTI and the commands it queues. */
    final List<RawCommand<?>> queued;
    final RawCommand<Outcome> exec;

    private BatchAppend(List<RawCommand<?>> queued, RawCommand<Outcome> exec) {
        this.queued = queued;
        this.exec = exec;
    }

    /** The commands of the append of {@code batch} at {@code baseOffset}, encoded on the calling thread. */
    static BatchAppend of(byte[] fenceSha, byte[] stream, byte[] nextKey, byte[] appendingKey, byte[] leaderKey,
                          long baseOffset, byte[] leader, NewBatch batch, TxnUpdate txn) {
        BatchHeader h = batch.header();
        long last = baseOffset + h.recordCount() - 1;
        RespWriter fenceWriter = new RespWriter(320 + 3 * stream.length + nextKey.length + appendingKey.length + leaderKey.length
                + leader.length);
        if (txn == null) {
            fenceWriter.array(10).bulk(EVALSHA).bulk(fenceSha).bulk(FOUR_KEYS).bulk(stream).bulk(nextKey).bulk(appendingKey)
                    .bulk(leaderKey).bulk(baseOffset).bulk(last + 1).bulk(leader);
        } else {
            // A transactional batch or a marker: the fence also updates the partition's transaction index.
            fenceWriter.array(15).bulk(EVALSHA).bulk(fenceSha).bulk(SIX_KEYS).bulk(stream).bulk(nextKey).bulk(appendingKey)
                    .bulk(leaderKey).bulk(txn.txnsKey()).bulk(txn.abortedKey()).bulk(baseOffset).bulk(last + 1).bulk(leader)
                    .bulk(new byte[] {txn.action()}).bulk(txn.producerId()).bulk(txn.offset());
        }
        byte[] fence = fenceWriter.toByteArray();
        ByteBuffer data = batch.bytes();
        byte[] xadd = new RespWriter(256 + appendingKey.length)
                .array(20).bulk(XADD).bulk(appendingKey).bulk(NOMKSTREAM)
                .bulkNumber(last, StreamEntryCodec.ENTRY_ID_SUFFIX)
                .bulk(FIELDS[0]).bulk(baseOffset).bulk(FIELDS[1]).bulk(h.recordCount()).bulk(FIELDS[2]).bulk(batch.maxTimestamp())
                .bulk(FIELDS[3]).bulk(h.producerId()).bulk(FIELDS[4]).bulk(h.producerEpoch()).bulk(FIELDS[5]).bulk(h.baseSequence())
                .bulk(FIELDS[6]).bulk(batch.flags().getBytes(StandardCharsets.US_ASCII))
                .bulk(FIELDS[7]).bulkHeader(data.remaining()).toByteArray();
        byte[] rename = new RespWriter(64 + stream.length + appendingKey.length)
                .array(3).bulk(RENAME).bulk(appendingKey).bulk(stream).toByteArray();
        RawCommand<Outcome> exec = new RawCommand<>(RawCommand.Keyword.KORVET_EXEC, new ExecOutput(), EXEC, null);
        return new BatchAppend(List.of(
                queued(RawCommand.Keyword.KORVET_MULTI, MULTI, null),
                queued(CommandType.EVALSHA, fence, null),
                queued(CommandType.XADD, xadd, data),
                queued(CommandType.RENAME, rename, null)), exec);
    }

    private static RawCommand<String> queued(io.lettuce.core.protocol.ProtocolKeyword type, byte[] head, ByteBuffer last) {
        return new RawCommand<>(type, new StatusOutput<>(ByteArrayCodec.INSTANCE), head, last);
    }

    /**
     * What EXEC answered: {@code fenced} with the log's actual next offset, or {@code leaderMoved} (another broker
     * claimed the partition), or appended, or a failure of one of the commands inside (its error text).
     */
    record Outcome(boolean fenced, long actualNextOffset, boolean leaderMoved, String error) {
    }

    /**
     * EXEC's reply: {@code [fence reply, XADD reply, RENAME reply]}, the fence's {@code [1]} or
     * {@code [0, actual next offset]} or {@code [-1]}. An error inside it is kept as the outcome's, not raised as the command's:
     * RENAME fails by design when the append is fenced.
     */
    static final class ExecOutput extends CommandOutput<byte[], byte[], Outcome> {
        private int arrays;
        private int fenceSize = -1;
        private final long[] fence = new long[2];
        private int fenceValues;
        /** Replies read after the fence's: the XADD's, then the RENAME's. */
        private int after;
        private String error;
        private boolean xadded;

        ExecOutput() {
            super(ByteArrayCodec.INSTANCE, null);
        }

        private boolean inFence() {
            return arrays == 2 && fenceValues < fenceSize;
        }

        @Override
        public void multi(int count) {
            arrays++;
            if (arrays == 2) {
                fenceSize = Math.min(count, fence.length);
            }
        }

        @Override
        public void set(long integer) {
            if (inFence()) {
                fence[fenceValues++] = integer;
            }
        }

        @Override
        public void set(ByteBuffer bytes) {
            after++;
            if (after == 1) {
                xadded = bytes != null;
            }
        }

        @Override
        public void setError(ByteBuffer message) {
            setError(StandardCharsets.UTF_8.decode(message).toString());
        }

        @Override
        public void setError(String message) {
            if (arrays == 0) {
                super.setError(message);
                return;
            }
            if (arrays == 1 && fenceSize < 0) {
                // The fence itself failed (NOSCRIPT after a Redis restart): the rest wrote nothing.
                fenceSize = 0;
                error = "the append fence failed: " + message;
                return;
            }
            after++;
            if (error == null && !(after == 2 && fence[0] != 1 && fenceValues > 0)) {
                error = (after == 1 ? "XADD" : "RENAME") + " failed: " + message;
            }
        }

        @Override
        public Outcome get() {
            if (error != null) {
                return new Outcome(false, -1, false, error);
            }
            if (fenceValues == 0) {
                return new Outcome(false, -1, false, "EXEC answered no fence reply");
            }
            if (fence[0] == -1) {
                return new Outcome(false, -1, true, null);
            }
            if (fence[0] != 1) {
                return new Outcome(true, fenceValues > 1 ? fence[1] : -1, false, null);
            }
            return xadded ? new Outcome(false, -1, false, null) : new Outcome(false, -1, false, "XADD wrote nothing after the fence let it");
        }
    }

    private static byte[][] names(String... names) {
        byte[][] out = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            out[i] = bytes(names[i]);
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
