package io.korvet.handler.fetch;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * What one Fetch request reads and how its answer is made, by the request's session metadata (Kafka's
 * FetchContext): which partitions to read, and which of their answers go into the response with which session id.
 */
public sealed interface FetchContext {

    /** The partitions to read with their request parameters, in the order the response lists them. */
    LinkedHashMap<PartitionKey, FetchPartition> partitions();

    /**
     * The response to the request: of the answers (one per partition of {@link #partitions()}, in that order) those
     * the context sends, grouped by topic, with the session id and top-level error.
     */
    FetchResponseData respond(LinkedHashMap<PartitionKey, PartitionData> answers);

    /**
     * The empty response of a throttled request (Kafka's {@code getThrottledResponse}): no partition, the session left
     * as it was (a full request opens none), the session id of an incremental request still in step.
     */
    FetchResponseData throttled();

    /**
     * A response listing the partitions in order, consecutive partitions of one topic under one topic entry, as
     * Kafka's {@code FetchResponse.of} does.
     */
    static FetchResponseData response(Errors error, int sessionId, Map<PartitionKey, PartitionData> partitions) {
        FetchResponseData out = new FetchResponseData().setErrorCode(error.code()).setSessionId(sessionId);
        PartitionKey previous = null;
        FetchableTopicResponse topic = null;
        for (Map.Entry<PartitionKey, PartitionData> e : partitions.entrySet()) {
            PartitionKey key = e.getKey();
            if (!key.sameTopic(previous)) {
                topic = new FetchableTopicResponse().setTopicId(key.topicId()).setTopic(key.topic() == null ? "" : key.topic());
                out.responses().add(topic);
            }
            topic.partitions().add(e.getValue());
            previous = key;
        }
        return out;
    }

    /** A request whose session is unknown or out of step: nothing is read, the error is the answer. */
    record SessionError(Errors error) implements FetchContext {

        @Override
        public LinkedHashMap<PartitionKey, FetchPartition> partitions() {
            return new LinkedHashMap<>();
        }

        @Override
        public FetchResponseData respond(LinkedHashMap<PartitionKey, PartitionData> answers) {
            return response(error, FetchMetadata.INVALID_SESSION_ID, Map.of());
        }

        @Override
        public FetchResponseData throttled() {
            return respond(new LinkedHashMap<>());
        }
    }

    /** A full request that keeps no session (epoch -1, or before Fetch v7): every partition answered, session id 0. */
    record Sessionless(LinkedHashMap<PartitionKey, FetchPartition> partitions) implements FetchContext {

        @Override
        public FetchResponseData respond(LinkedHashMap<PartitionKey, PartitionData> answers) {
            return response(Errors.NONE, FetchMetadata.INVALID_SESSION_ID, answers);
        }

        @Override
        public FetchResponseData throttled() {
            return response(Errors.NONE, FetchMetadata.INVALID_SESSION_ID, Map.of());
        }
    }

    /**
     * A full request opening a session (epoch 0): every partition answered, and a session of them created when the
     * cache has or can make room (else session id 0, and the client goes on with full requests).
     */
    record Full(FetchSessionCache cache, long now, boolean usesTopicIds, LinkedHashMap<PartitionKey, FetchPartition> partitions)
            implements FetchContext {

        @Override
        public FetchResponseData respond(LinkedHashMap<PartitionKey, PartitionData> answers) {
            int sessionId = cache.maybeCreateSession(now, answers.size(), usesTopicIds, () -> {
                LinkedHashMap<PartitionKey, CachedPartition> cached = new LinkedHashMap<>();
                answers.forEach((key, answer) -> cached.put(key, new CachedPartition(key, partitions.get(key), answer)));
                return cached;
            });
            return response(Errors.NONE, sessionId, answers);
        }

        @Override
        public FetchResponseData throttled() {
            return response(Errors.NONE, FetchMetadata.INVALID_SESSION_ID, Map.of());
        }
    }

    /**
     * An incremental request in a session: every partition of the session is read, and the response carries only
     * those with something new for the client ({@link CachedPartition#mustRespond}).
     */
    record Incremental(FetchSession session, int requestEpoch, LinkedHashMap<PartitionKey, FetchPartition> partitions)
            implements FetchContext {

        @Override
        public FetchResponseData respond(LinkedHashMap<PartitionKey, PartitionData> answers) {
            synchronized (session) {
                // Another request of the session came in since this one: its answer would be out of step.
                if (session.epoch() != FetchMetadata.nextEpoch(requestEpoch)) {
                    return response(Errors.INVALID_FETCH_SESSION_EPOCH, session.id(), Map.of());
                }
                LinkedHashMap<PartitionKey, PartitionData> sent = new LinkedHashMap<>();
                answers.forEach((key, answer) -> {
                    CachedPartition cached = session.partition(key);
                    if (cached != null && cached.mustRespond(answer, true)) {
                        sent.put(key, answer);
                        if (FetchResponse.recordsSize(answer) > 0) {
                            session.moveToEnd(cached);
                        }
                    }
                });
                return response(Errors.NONE, session.id(), sent);
            }
        }

        @Override
        public FetchResponseData throttled() {
            synchronized (session) {
                if (session.epoch() != FetchMetadata.nextEpoch(requestEpoch)) {
                    return response(Errors.INVALID_FETCH_SESSION_EPOCH, session.id(), Map.of());
                }
                return response(Errors.NONE, session.id(), Map.of());
            }
        }
    }
}
