package io.korvet.log;

import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Records of one partition read from Redis before a consumer asks for them. A consumer catching up fetches
 * offset after offset: when a Fetch answer ends at offset N below the high watermark, the read from N is
 * started at once, so that Redis and the reply parsing work while the answer travels and the consumer
 * handles it, instead of after its next Fetch arrives (Kafka gets the same from the page cache).
 *
 * <p>Bounded three ways: a few reads per partition (consumers of different groups at different offsets),
 * a broker-wide byte budget shared by all partitions, and an expiry after which an unclaimed read is
 * dropped. Stored records never change, so a read made ahead is as good as one made when asked; records
 * a trim removed meanwhile are not served, since Fetch checks the log start offset first.
 */
final class ReadAhead<T> {

    /** Reads ahead kept per partition. */
    static final int MAX_PER_PARTITION = 4;
    /** How long a read made ahead waits for its consumer. */
    static final long EXPIRY_MS = 10_000;

    private record Entry<T>(long token, long bytes, CompletableFuture<T> records) {
    }

    private static final AtomicLong TOKENS = new AtomicLong();

    /** The bytes all reads ahead may hold, broker-wide. */
    static final class Budget {
        private final long limit;
        private final AtomicLong used = new AtomicLong();

        Budget(long limit) {
            this.limit = limit;
        }

        boolean tryAcquire(long bytes) {
            while (true) {
                long now = used.get();
                if (now + bytes > limit) {
                    return false;
                }
                if (used.compareAndSet(now, now + bytes)) {
                    return true;
                }
            }
        }

        void release(long bytes) {
            used.addAndGet(-bytes);
        }

        long used() {
            return used.get();
        }
    }

    private final Budget budget;
    /** Reads {@code count} records (or batches) from an offset: the partition's own read from Redis. */
    private final BiFunction<Long, Integer, CompletableFuture<T>> reader;
    // Guarded by itself; in insertion order, oldest first.
    private final LinkedHashMap<Long, Entry<T>> entries = new LinkedHashMap<>();

    ReadAhead(Budget budget, BiFunction<Long, Integer, CompletableFuture<T>> reader) {
        this.budget = budget;
        this.reader = reader;
    }

    /**
     * Starts reading {@code count} records from {@code from}, unless such a read is
     * already there or the budget is spent. {@code bytes} is what the records are expected to take.
     */
    void start(long from, int count, long bytes) {
        Entry<T> evicted = null;
        Entry<T> entry;
        synchronized (entries) {
            if (entries.containsKey(from)) {
                return;
            }
            if (entries.size() >= MAX_PER_PARTITION) {
                Long oldest = entries.keySet().iterator().next();
                evicted = entries.remove(oldest);
            }
            if (evicted != null) {
                budget.release(evicted.bytes);
            }
            if (!budget.tryAcquire(bytes)) {
                return;
            }
            entry = new Entry<>(TOKENS.incrementAndGet(), bytes, reader.apply(from, count));
            entries.put(from, entry);
        }
        // The expiry holds the entry's token, not the entry: records taken by a Fetch must not stay reachable
        // from here for the whole expiry (at a hundred reads a second, that was over a gigabyte of heap).
        long token = entry.token;
        CompletableFuture.delayedExecutor(EXPIRY_MS, TimeUnit.MILLISECONDS).execute(() -> drop(from, token));
    }

    /** The read made ahead from exactly {@code from}, taken out (it serves one Fetch), or null. */
    CompletableFuture<T> take(long from) {
        Entry<T> e;
        synchronized (entries) {
            e = entries.remove(from);
        }
        if (e == null) {
            return null;
        }
        budget.release(e.bytes);
        return e.records;
    }

    /** Drops every read made ahead (the partition is deleted). */
    void clear() {
        synchronized (entries) {
            entries.values().forEach(e -> budget.release(e.bytes));
            entries.clear();
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private void drop(long from, long token) {
        synchronized (entries) {
            Entry<T> entry = entries.get(from);
            if (entry != null && entry.token == token) {
                entries.remove(from);
                budget.release(entry.bytes);
            }
        }
    }
}
