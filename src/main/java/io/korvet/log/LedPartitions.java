package io.korvet.log;

import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/** What the background log jobs (retention, compaction) go over: the partitions this broker leads of some topics. */
final class LedPartitions {

    /** A partition and its topic. */
    record Led(Topic topic, TopicPartition partition) {
    }

    private LedPartitions() {
    }

    /** The partitions {@code leads} says this broker leads, of the topics {@code which} selects, topic by topic. */
    static List<Led> of(TopicManager topics, Predicate<TopicPartition> leads, Predicate<Topic> which) {
        List<Led> led = new ArrayList<>();
        for (Topic topic : new ArrayList<>(topics.all())) {
            if (!which.test(topic)) {
                continue;
            }
            for (int p = 0; p < topic.partitions(); p++) {
                TopicPartition tp = new TopicPartition(topic.name(), p);
                if (leads.test(tp)) {
                    led.add(new Led(topic, tp));
                }
            }
        }
        return led;
    }
}
