package io.korvet.topic;

import io.korvet.group.TopicLookup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.Uuid;

/** The registered topics, none being deleted, as consumer-protocol groups look them up. */
public final class LiveTopics implements TopicLookup {

    private final TopicManager topics;

    public LiveTopics(TopicManager topics) {
        this.topics = topics;
    }

    private static Topic live(Topic t) {
        return t == null || t.record().deleting() ? null : t;
    }

    @Override
    public Uuid idOf(String name) {
        Topic t = live(topics.get(name));
        return t == null ? null : t.id();
    }

    @Override
    public String nameOf(Uuid id) {
        Topic t = live(topics.get(id));
        return t == null ? null : t.name();
    }

    @Override
    public int partitionsOf(Uuid id) {
        Topic t = live(topics.get(id));
        return t == null ? -1 : t.partitions();
    }

    @Override
    public Collection<String> names() {
        List<String> names = new ArrayList<>();
        for (Topic t : topics.all()) {
            if (live(t) != null) {
                names.add(t.name());
            }
        }
        return names;
    }
}
