package io.korvet.topic;

import io.korvet.storage.TopicRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;

/**
 * The topics as this broker knows them, by name and by id. Every change made here is stamped, so that a reload of
 * the registry ({@link #reconcile}) never undoes a change this broker made after the registry was read.
 */
final class TopicCache {

    private final Map<String, Topic> byName = new ConcurrentHashMap<>();
    private final Map<Uuid, Topic> byId = new ConcurrentHashMap<>();
    /** The stamp of the last local change of each name. */
    private final Map<String, Long> stamps = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();

    Topic get(String name) {
        return name == null ? null : byName.get(name);
    }

    Topic get(Uuid id) {
        return id == null ? null : byId.get(id);
    }

    boolean contains(String name) {
        return byName.containsKey(name);
    }

    Collection<Topic> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    Collection<String> names() {
        return byName.keySet();
    }

    /** The current stamp: changes made from now on have a later one. */
    long stamp() {
        return clock.get();
    }

    synchronized Topic put(TopicRecord record, BrokerConfigs brokerConfigs) {
        Topic topic = Topic.of(record, brokerConfigs);
        stamps.put(record.name(), clock.incrementAndGet());
        Topic previous = byName.put(record.name(), topic);
        if (previous != null && !previous.id().equals(record.id())) {
            byId.remove(previous.id());
        }
        byId.put(record.id(), topic);
        return topic;
    }

    /** Caches {@code record} read from the registry after stamp {@code readAfter}, unless its name changed here since. */
    synchronized void putIfUnchanged(TopicRecord record, long readAfter, BrokerConfigs brokerConfigs) {
        if (stamps.getOrDefault(record.name(), 0L) <= readAfter) {
            put(record, brokerConfigs);
        }
    }

    /**
     * Makes every cached topic again from its record, after the broker's topic defaults changed. Changes of the cache
     * are serialised, so that a topic made with the old defaults cannot land after the rebuild that replaced them.
     */
    synchronized void rebuild(BrokerConfigs brokerConfigs) {
        for (Topic cached : new ArrayList<>(byName.values())) {
            Topic now = Topic.of(cached.record(), brokerConfigs);
            byName.put(now.name(), now);
            byId.put(now.id(), now);
        }
    }

    synchronized void remove(TopicRecord record) {
        stamps.put(record.name(), clock.incrementAndGet());
        byName.computeIfPresent(record.name(), (n, t) -> t.id().equals(record.id()) ? null : t);
        byId.remove(record.id());
    }

    /**
     * Brings the cache to the registry as read after stamp {@code readAfter}: names changed here since keep what this
     * broker made of them. Topics the registry no longer has (deleted, or being deleted, by another broker) go, each
     * passed to {@code gone}.
     */
    synchronized void reconcile(List<TopicRecord> registry, long readAfter, BrokerConfigs brokerConfigs, Consumer<Topic> gone) {
        Map<String, TopicRecord> live = new ConcurrentHashMap<>();
        for (TopicRecord r : registry) {
            if (!r.deleting()) {
                live.put(r.name(), r);
            }
        }
        for (String name : new ArrayList<>(byName.keySet())) {
            Topic cached = byName.get(name);
            TopicRecord now = live.get(name);
            if (cached == null || stamps.getOrDefault(name, 0L) > readAfter) {
                continue;
            }
            if (now == null || !now.id().equals(cached.id())) {
                remove(cached.record());
                gone.accept(cached);
            }
        }
        for (TopicRecord r : live.values()) {
            Topic cached = byName.get(r.name());
            if (stamps.getOrDefault(r.name(), 0L) > readAfter || (cached != null && cached.record().equals(r))) {
                continue;
            }
            put(r, brokerConfigs);
        }
    }
}
