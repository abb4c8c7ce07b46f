package io.korvet.storage;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** The topic registry, and the source of producer ids. */
public interface TopicStore {

    CompletionStage<List<TopicRecord>> loadTopics();

    /** Registers the topic; completes with false when a topic of that name already exists. */
    CompletionStage<Boolean> createTopic(TopicRecord topic);

    /** A producer id never handed out before, by any broker on this Redis. */
    CompletionStage<Long> nextProducerId();
}
