package io.korvet.handler.fetch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, from a Fetch request's session id and epoch, which {@link FetchContext} serves it, as Kafka's
 * FetchManager does: a full request (epoch 0 or -1) closes the session it names, and with epoch 0 may open a new
 * one; an incremental request must name a live session (else FETCH_SESSION_ID_NOT_FOUND) with its current epoch
 * (else INVALID_FETCH_SESSION_EPOCH) and the same use of topic ids (else FETCH_SESSION_TOPIC_ID_ERROR).
 */
public final class FetchSessions {

    private static final Logger log = LoggerFactory.getLogger(FetchSessions.class);

    private final FetchSessionCache cache;
    private final LongSupplier clock;

    public FetchSessions(FetchSessionCache cache, LongSupplier clock) {
        this.cache = cache;
        this.clock = clock;
    }

    /** Sessions of up to {@code slots} (0: none, every request full) on the system clock. */
    public static FetchSessions withSlots(int slots) {
        return new FetchSessions(new FetchSessionCache(slots, FetchSessionCache.EVICTION_MS), System::currentTimeMillis);
    }

    public FetchSessionCache cache() {
        return cache;
    }

    /**
     * @param usesTopicIds whether the request names topics by id (Fetch v13+)
     * @param fetchData    the partitions the request names, each once, with their parameters
     * @param toForget     the partitions the request removes from its session
     */
    public FetchContext newContext(boolean usesTopicIds, int sessionId, int epoch,
                                   LinkedHashMap<PartitionKey, FetchPartition> fetchData, List<PartitionKey> toForget) {
        if (epoch == FetchMetadata.INITIAL_EPOCH || epoch == FetchMetadata.FINAL_EPOCH) {
            if (sessionId != FetchMetadata.INVALID_SESSION_ID && cache.remove(sessionId) != null) {
                log.debug("Fetch session {} closed by a full fetch request", sessionId);
            }
            return epoch == FetchMetadata.FINAL_EPOCH ? new FetchContext.Sessionless(fetchData)
                    : new FetchContext.Full(cache, clock.getAsLong(), usesTopicIds, fetchData);
        }
        synchronized (cache) {
            FetchSession session = cache.get(sessionId);
            if (session == null) {
                log.debug("Fetch session error for {}: no such session", sessionId);
                return new FetchContext.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
            }
            synchronized (session) {
                if (session.epoch() != epoch) {
                    log.debug("Fetch session error for {}: expected epoch {}, got {}", sessionId, session.epoch(), epoch);
                    return new FetchContext.SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
                }
                if (session.usesTopicIds() != usesTopicIds) {
                    log.debug("Fetch session error for {}: it {} topic ids, the request does not", sessionId,
                            session.usesTopicIds() ? "uses" : "does not use");
                    return new FetchContext.SessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
                }
                FetchSession.Changes changes = session.update(fetchData, toForget);
                if (session.size() == 0) {
                    // Every partition forgotten: the session ends, and this request is answered without one.
                    log.debug("Fetch session {} closed: no partitions left after removing {}", sessionId, changes.removed().size());
                    cache.remove(session);
                    return new FetchContext.Sessionless(fetchData);
                }
                cache.touch(session, clock.getAsLong());
                session.epoch(FetchMetadata.nextEpoch(session.epoch()));
                log.trace("Incremental fetch in session {}, epoch {}: {} added, {} updated, {} removed", sessionId,
                        session.epoch(), changes.added().size(), changes.updated().size(), changes.removed().size());
                return new FetchContext.Incremental(session, epoch, session.requests());
            }
        }
    }
}
