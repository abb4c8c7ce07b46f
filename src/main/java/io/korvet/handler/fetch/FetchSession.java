package io.korvet.handler.fetch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;

/**
 * An incremental fetch session (KIP-227): the partitions a client fetches from this broker and their last request
 * parameters and answers, and the epoch the client's next request must carry. Guarded by its own lock; the
 * {@link FetchSessionCache}'s lock is never taken while this one is held.
 */
public final class FetchSession {

    private final int id;
    private final boolean usesTopicIds;
    private final long creationMs;
    /** In the order they are read and answered; a partition that returned records moves to the end (fairness). */
    private final LinkedHashMap<PartitionKey, CachedPartition> partitions;
    private long lastUsedMs;
    private int epoch;
    /** The size the cache last saw (its eviction index is keyed by it); -1 while not in the cache. */
    private int cachedSize = -1;

    FetchSession(int id, boolean usesTopicIds, LinkedHashMap<PartitionKey, CachedPartition> partitions, long now, int epoch) {
        this.id = id;
        this.usesTopicIds = usesTopicIds;
        this.partitions = partitions;
        this.creationMs = now;
        this.lastUsedMs = now;
        this.epoch = epoch;
    }

    public int id() {
        return id;
    }

    boolean usesTopicIds() {
        return usesTopicIds;
    }

    long creationMs() {
        return creationMs;
    }

    synchronized long lastUsedMs() {
        return lastUsedMs;
    }

    synchronized void lastUsedMs(long now) {
        this.lastUsedMs = now;
    }

    public synchronized int epoch() {
        return epoch;
    }

    synchronized void epoch(int next) {
        this.epoch = next;
    }

    synchronized int cachedSize() {
        return cachedSize;
    }

    synchronized void cachedSize(int size) {
        this.cachedSize = size;
    }

    public synchronized int size() {
        return partitions.size();
    }

    synchronized CachedPartition partition(PartitionKey key) {
        return partitions.get(key);
    }

    /** The partitions and their request parameters, in session order. */
    synchronized LinkedHashMap<PartitionKey, FetchPartition> requests() {
        LinkedHashMap<PartitionKey, FetchPartition> out = new LinkedHashMap<>();
        partitions.forEach((k, p) -> out.put(k, p.request()));
        return out;
    }

    /** Moves a partition that answered with records behind the others, as Kafka does, so that every one gets its turn. */
    synchronized void moveToEnd(CachedPartition p) {
        partitions.remove(p.key());
        partitions.put(p.key(), p);
    }

    /** What an incremental request changed: partitions added, updated, and forgotten. */
    public record Changes(List<PartitionKey> added, List<PartitionKey> updated, List<PartitionKey> removed) {
    }

    /**
     * Applies an incremental request: the partitions it names are added or get its parameters, the forgotten ones
     * leave the session.
     */
    synchronized Changes update(Map<PartitionKey, FetchPartition> fetchData, List<PartitionKey> toForget) {
        List<PartitionKey> added = new ArrayList<>();
        List<PartitionKey> updated = new ArrayList<>();
        List<PartitionKey> removed = new ArrayList<>();
        fetchData.forEach((key, request) -> {
            CachedPartition cached = partitions.get(key);
            if (cached == null) {
                partitions.put(key, new CachedPartition(key, request));
                added.add(key);
            } else {
                cached.updateRequest(request);
                updated.add(key);
            }
        });
        for (PartitionKey key : toForget) {
            if (partitions.remove(key) != null) {
                removed.add(key);
            }
        }
        return new Changes(added, updated, removed);
    }

    @Override
    public synchronized String toString() {
        return "FetchSession(id=" + id + ", partitions=" + partitions.size() + ", usesTopicIds=" + usesTopicIds
                + ", creationMs=" + creationMs + ", lastUsedMs=" + lastUsedMs + ", epoch=" + epoch + ")";
    }
}
