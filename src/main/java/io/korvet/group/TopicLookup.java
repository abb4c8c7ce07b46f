package io.korvet.group;

import java.util.Collection;
import org.apache.kafka.common.Uuid;

/** What a consumer-protocol group needs to know of the topics: ids, names and partition counts of those that exist. */
public interface TopicLookup {

    /** The topic's id, or null when there is no such topic. */
    Uuid idOf(String name);

    /** The topic's name, or null when there is no such topic. */
    String nameOf(Uuid id);

    /** The topic's partition count, or -1 when there is no such topic. */
    int partitionsOf(Uuid id);

    /** Every topic's name. */
    Collection<String> names();
}
