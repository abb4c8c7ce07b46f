package io.korvet.group;

import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.Uuid;

/** A {@link TopicLookup} that knows one topic, for group tests without a broker. */
record OneTopic(String name, Uuid id, int partitions) implements TopicLookup {

    @Override
    public Uuid idOf(String topic) {
        return topic.equals(name) ? id : null;
    }

    @Override
    public String nameOf(Uuid topic) {
        return topic.equals(id) ? name : null;
    }

    @Override
    public int partitionsOf(Uuid topic) {
        return topic.equals(id) ? partitions : -1;
    }

    @Override
    public Collection<String> names() {
        return List.of(name);
    }
}
