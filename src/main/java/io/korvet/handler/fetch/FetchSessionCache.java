package io.korvet.handler.fetch;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.kafka.common.requests.FetchMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch sessions of this broker, at most {@code max.incremental.fetch.session.cache.slots} of them, evicted by
 * Kafka's rules (see {@link #tryEvict}). Every method holds the cache's lock; a session's own lock may be taken
 * inside it, never the other way round.
 *
 * <p>Where this differs from Kafka 4.3: Kafka splits its cache into 8 shards of {@code slots / 8} sessions each
 * (and evicts within a shard only), to spread lock contention over its request threads; this is one cache of
 * {@code slots} sessions. And no session is privileged: Kafka's follower sessions, which may evict any consumer's,
 * do not exist where the brokers share Redis instead of replicating.
 */
public final class FetchSessionCache {

    /** Kafka's {@code MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS}: a session unused this long may be evicted by any new one. */
    public static final long EVICTION_MS = 120_000;

    private static final Logger log = LoggerFactory.getLogger(FetchSessionCache.class);

    private record LastUsed(long lastUsedMs, int id) {
    }

    private record Evictable(int size, int id) {
    }

    private static final Comparator<LastUsed> BY_LAST_USE =
            Comparator.comparingLong(LastUsed::lastUsedMs).thenComparingInt(LastUsed::id);
    private static final Comparator<Evictable> BY_VALUE =
            Comparator.comparingInt(Evictable::size).thenComparingInt(Evictable::id);

    private final int maxEntries;
    private final long evictionMs;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();
    /** Sessions by last use, least recent first. */
    private final TreeMap<LastUsed, FetchSession> lastUsed = new TreeMap<>(BY_LAST_USE);
    /** Sessions older than {@code evictionMs} when last touched, fewest partitions first: the ones a bigger new session may evict. */
    private final TreeMap<Evictable, FetchSession> evictable = new TreeMap<>(BY_VALUE);
    private long partitions;
    private long evictions;

    public FetchSessionCache(int maxEntries, long evictionMs) {
        this.maxEntries = maxEntries;
        this.evictionMs = evictionMs;
    }

    public synchronized FetchSession get(int sessionId) {
        return sessions.get(sessionId);
    }

    public synchronized int size() {
        return sessions.size();
    }

    /** The partitions of all sessions (Kafka's NumIncrementalFetchPartitionsCached). */
    public synchronized long totalPartitions() {
        return partitions;
    }

    /** How many sessions were evicted to make room for new ones. */
    public synchronized long evictions() {
        return evictions;
    }

    /**
     * Creates a session of {@code size} partitions if there is room or room can be made by eviction, with the
     * partitions {@code create} makes; its epoch is 1, the epoch of the client's first incremental request.
     *
     * @return the new session's id, or 0 (no session) when none was created
     */
    public synchronized int maybeCreateSession(long now, int size, boolean usesTopicIds,
                                               Supplier<LinkedHashMap<PartitionKey, CachedPartition>> create) {
        if (sessions.size() < maxEntries || tryEvict(size, now)) {
            FetchSession session = new FetchSession(newSessionId(), usesTopicIds, create.get(), now,
                    FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH));
            sessions.put(session.id(), session);
            touch(session, now);
            log.debug("Created fetch session {}", session);
            return session.id();
        }
        log.debug("No fetch session created for {} partitions: the cache's {} slots are taken", size, maxEntries);
        return FetchMetadata.INVALID_SESSION_ID;
    }

    /**
     * Makes room for a new session of {@code size} partitions, by Kafka's rule: the least recently used session
     * goes if it has been idle longer than {@code evictionMs}; otherwise the session with the fewest partitions
     * among those created more than {@code evictionMs} ago goes if the new one has more partitions than it.
     */
    private boolean tryEvict(int size, long now) {
        Map.Entry<LastUsed, FetchSession> oldest = lastUsed.firstEntry();
        if (oldest == null) {
            return false;
        }
        if (now - oldest.getKey().lastUsedMs() > evictionMs) {
            log.debug("Evicting fetch session {}: idle for {} ms", oldest.getValue().id(), now - oldest.getKey().lastUsedMs());
            remove(oldest.getValue());
            evictions++;
            return true;
        }
        Map.Entry<Evictable, FetchSession> least = evictable.firstEntry();
        // The new session's key has id 0, below every real id: it must have strictly more partitions to win.
        if (least == null || BY_VALUE.compare(new Evictable(size, 0), least.getKey()) < 0) {
            return false;
        }
        log.debug("Evicting fetch session {} of {} partitions for a new one of {}", least.getValue().id(),
                least.getKey().size(), size);
        remove(least.getValue());
        evictions++;
        return true;
    }

    /** Removes a session; returns it, or null when there was none of that id. */
    public synchronized FetchSession remove(int sessionId) {
        FetchSession session = sessions.get(sessionId);
        return session == null ? null : remove(session);
    }

    synchronized FetchSession remove(FetchSession session) {
        lastUsed.remove(new LastUsed(session.lastUsedMs(), session.id()));
        evictable.remove(new Evictable(session.cachedSize(), session.id()));
        FetchSession removed = sessions.remove(session.id());
        if (removed != null) {
            partitions -= session.cachedSize();
        }
        return removed;
    }

    /** Records a use of the session: its place among the least recently used, and its size in the eviction index. */
    synchronized void touch(FetchSession session, long now) {
        lastUsed.remove(new LastUsed(session.lastUsedMs(), session.id()));
        session.lastUsedMs(now);
        lastUsed.put(new LastUsed(now, session.id()), session);
        int oldSize = session.cachedSize();
        if (oldSize != -1) {
            evictable.remove(new Evictable(oldSize, session.id()));
            partitions -= oldSize;
        }
        int size = session.size();
        session.cachedSize(size);
        if (now - session.creationMs() > evictionMs) {
            evictable.put(new Evictable(size, session.id()), session);
        }
        partitions += size;
    }

    private int newSessionId() {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        return id;
    }
}
