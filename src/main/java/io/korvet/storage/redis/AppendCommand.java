package io.korvet.storage.redis;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The EVALSHA of append.lua for one batch, encoded once, by the thread that handles the Produce request:
 * {@code EVALSHA <sha> 3 <stream> <next key> <leader key> <expected next offset> <leader value>}, then per record its entry ID, its shape, its
 * timestamp and the values of the other fields it has (see append.lua). Building it from Lettuce's argument
 * objects (one per field, each encoded on Lettuce's single I/O thread, numbers through Long.toString) cost
 * the broker more CPU per record than anything else in a produce profile.
 */
final class AppendCommand {

    private static final byte[] EVALSHA = "EVALSHA".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] THREE_KEYS = {'3'};
    private static final byte[] FIVE_KEYS = {'5'};

    private AppendCommand() {
    }

    /** The append of a batch's records to a {@code record}-format stream, one entry each (append.lua). */
    static RawCommand<List<Object>> records(byte[] sha, byte[] key, byte[] nextKey, byte[] leaderKey, long baseOffset,
                                            byte[] leader, BatchHeader header, List<NewRecord> records, TxnUpdate txn) {
        return new RawCommand<>(CommandType.EVALSHA, new NestedMultiOutput<>(ByteArrayCodec.INSTANCE),
                encode(sha, key, nextKey, leaderKey, baseOffset, leader, header, records, txn), null, key);
    }

    static byte[] encode(byte[] sha, byte[] key, byte[] nextKey, byte[] leaderKey, long baseOffset, byte[] leader,
                         BatchHeader header, List<NewRecord> records) {
        return encode(sha, key, nextKey, leaderKey, baseOffset, leader, header, records, null);
    }

    /**
     * With a {@code txn} update (a transactional batch or a marker), its two keys follow the leader key and its
     * action, producer id and offset the leader value; every record after the first then carries the batch's
     * continuation header, so that a read from the middle of the batch knows its transaction.
     */
    static byte[] encode(byte[] sha, byte[] key, byte[] nextKey, byte[] leaderKey, long baseOffset, byte[] leader,
                         BatchHeader header, List<NewRecord> records, TxnUpdate txn) {
        BatchHeader later = txn == null ? null : header.continuation();
        int args = 8 + (txn == null ? 0 : 5);
        int bytes = 160 + key.length + nextKey.length + leaderKey.length + leader.length;
        for (int i = 0; i < records.size(); i++) {
            NewRecord r = records.get(i);
            args += 2 + StreamEntryCodec.fieldCount(r, i == 0 ? header : later);
            bytes += 160 + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        }
        RespWriter out = new RespWriter(bytes);
        if (txn == null) {
            out.array(args).bulk(EVALSHA).bulk(sha).bulk(THREE_KEYS).bulk(key).bulk(nextKey).bulk(leaderKey).bulk(baseOffset)
                    .bulk(leader);
        } else {
            out.array(args).bulk(EVALSHA).bulk(sha).bulk(FIVE_KEYS).bulk(key).bulk(nextKey).bulk(leaderKey)
                    .bulk(txn.txnsKey()).bulk(txn.abortedKey()).bulk(baseOffset).bulk(leader)
                    .bulk(new byte[] {txn.action()}).bulk(txn.producerId()).bulk(txn.offset());
        }
        Entry entry = new Entry();
        long offset = baseOffset;
        for (int i = 0; i < records.size(); i++) {
            entry.clear();
            StreamEntryCodec.writeFields(records.get(i), i == 0 ? header : later, entry);
            out.bulkNumber(offset++, StreamEntryCodec.ENTRY_ID_SUFFIX).bulk(entry.shape, entry.count).bulk(entry.timestamp);
            for (int f = 0; f < entry.count; f++) {
                out.bulk(entry.values[f]);
            }
        }
        return out.toByteArray();
    }

    /**
     * One record's fields as append.lua takes them: the timestamp, then the other values, named by their
     * shape, the first letter of each name in order ("v": a value; "kvb": a key, a value and the batch facts).
     * The names themselves are the script's constants: every argument costs Redis a Lua string.
     */
    private static final class Entry implements StreamEntryCodec.FieldSink {
        final byte[] shape = new byte[4];
        final byte[][] values = new byte[4][];
        int count;
        long timestamp;

        void clear() {
            count = 0;
        }

        @Override
        public void field(byte[] name, byte[] value) {
            shape[count] = name[0];
            values[count++] = value;
        }

        @Override
        public void field(byte[] name, long number) {
            if (name != StreamEntryCodec.TS) {
                throw new IllegalStateException("append.lua takes only the timestamp as a number");
            }
            timestamp = number;
        }
    }
}
