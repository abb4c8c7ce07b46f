package io.korvet.storage;

import java.nio.ByteBuffer;

/**
 * Record batches read from a {@code batch}-format stream, in offset order: their v2 bytes one after another in
 * one array, as a Fetch response carries them, with each batch's first and last offset and where it ends.
 */
public final class StoredBatches {

    public static final StoredBatches EMPTY = new StoredBatches(new byte[0], new long[0], new long[0], new int[0], 0);

    private final byte[] data;
    private final long[] bases;
    private final long[] lasts;
    private final int[] ends;
    private final int count;

    public StoredBatches(byte[] data, long[] bases, long[] lasts, int[] ends, int count) {
        this.data = data;
        this.bases = bases;
        this.lasts = lasts;
        this.ends = ends;
        this.count = count;
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public long baseOffset(int i) {
        return bases[i];
    }

    public long lastOffset(int i) {
        return lasts[i];
    }

    /** The bytes of batches {@code 0} to {@code i}, inclusive. */
    public int bytesThrough(int i) {
        return ends[i];
    }

    /** The first {@code n} batches. */
    public StoredBatches first(int n) {
        return n >= count ? this : new StoredBatches(data, bases, lasts, ends, n);
    }

    /** The bytes of all the batches, as one buffer over the shared array. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data, 0, count == 0 ? 0 : ends[count - 1]);
    }

    /** The bytes of batch {@code i} alone. */
    public ByteBuffer batch(int i) {
        int start = i == 0 ? 0 : ends[i - 1];
        return ByteBuffer.wrap(data, start, ends[i] - start).slice();
    }

    /** What holding these batches in memory costs, roughly. */
    public long memoryBytes() {
        return data.length + 24L * bases.length + 64;
    }
}
