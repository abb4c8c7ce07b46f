package io.korvet.log;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The log cleaner's map of each key to the offset of its latest record in the dirty part of a log, as Kafka's cleaner
 * keeps it: a key is known by a 16-byte digest (MD5), so that an entry takes 24 bytes whatever the key's size, in an
 * open-addressing table of fixed capacity ({@code log.cleaner.dedupe.buffer.size} bytes at most). Two keys with the
 * same digest would count as one; with MD5 that is too unlikely to matter, as in Kafka.
 */
public final class OffsetMap {

    private static final int SLOT_BYTES = 24;

    private final long[] high;
    private final long[] low;
    /** The offset in each slot, -1 when the slot is free. */
    private final long[] offsets;
    private final int mask;
    private final int maxEntries;
    private final MessageDigest digest;
    private int size;
    private long latestOffset = -1;

    /**
     * @param maxBytes the memory the table may take ({@code log.cleaner.dedupe.buffer.size})
     * @param loadFactor how full it may get ({@code log.cleaner.io.buffer.load.factor})
     * @param expectedKeys at most this many keys will be put: the table is no larger than they need
     */
    public OffsetMap(long maxBytes, double loadFactor, long expectedKeys) {
        long slotsAllowed = Math.max(2, maxBytes / SLOT_BYTES);
        long wanted = Math.max(2, (long) Math.ceil(expectedKeys / loadFactor) + 1);
        long target = Math.min(slotsAllowed, wanted);
        int capacity = Integer.highestOneBit((int) Math.min(1 << 30, target));
        if (capacity < target && (long) capacity * 2 <= slotsAllowed) {
            capacity *= 2; // a power of two, at least the target unless that would pass the memory allowed
        }
        high = new long[capacity];
        low = new long[capacity];
        offsets = new long[capacity];
        Arrays.fill(offsets, -1);
        mask = capacity - 1;
        maxEntries = Math.max(1, Math.min(capacity - 1, (int) (capacity * loadFactor)));
        try {
            digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether another key can be put (a key already in the map can always be put again). */
    public boolean isFull() {
        return size >= maxEntries;
    }

    public int size() {
        return size;
    }

    /** The largest offset put, -1 when none. */
    public long latestOffset() {
        return latestOffset;
    }

    /** Records that the key's latest record (so far) is at {@code offset}; offsets are put in increasing order. */
    public void put(byte[] key, long offset) {
        put(ByteBuffer.wrap(key), offset);
    }

    public void put(ByteBuffer key, long offset) {
        byte[] d = hash(key);
        long h = ByteBuffer.wrap(d).getLong(0);
        long l = ByteBuffer.wrap(d).getLong(8);
        int slot = (int) (h ^ l) & mask;
        while (offsets[slot] >= 0 && (high[slot] != h || low[slot] != l)) {
            slot = (slot + 1) & mask;
        }
        if (offsets[slot] < 0) {
            if (isFull()) {
                throw new IllegalStateException("offset map full: " + size + " keys");
            }
            size++;
            high[slot] = h;
            low[slot] = l;
        }
        offsets[slot] = offset;
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The offset of the key's latest record, or -1 when the key is not in the map. */
    public long get(byte[] key) {
        return get(ByteBuffer.wrap(key));
    }

    public long get(ByteBuffer key) {
        byte[] d = hash(key);
        long h = ByteBuffer.wrap(d).getLong(0);
        long l = ByteBuffer.wrap(d).getLong(8);
        int slot = (int) (h ^ l) & mask;
        while (offsets[slot] >= 0) {
            if (high[slot] == h && low[slot] == l) {
                return offsets[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private byte[] hash(ByteBuffer key) {
        digest.reset();
        digest.update(key.duplicate());
        return digest.digest();
    }
}
