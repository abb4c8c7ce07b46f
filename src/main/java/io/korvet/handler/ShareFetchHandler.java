package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.share.SharePartitionState.Acquired;
import io.korvet.group.share.SharePartitions;
import io.korvet.group.share.ShareSessions;
import io.korvet.group.share.ShareSessions.Partition;
import io.korvet.handler.PartitionReads.Read;
import io.korvet.handler.PartitionReads.Wanted;
import io.korvet.handler.SharePartitionAccess.AckBatch;
import io.korvet.handler.SharePartitionAccess.Resolved;
import io.korvet.handler.fetch.PartitionKey;
import io.korvet.log.LogManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.message.ShareFetchResponseData.PartitionData;
import org.apache.kafka.common.message.ShareFetchResponseData.ShareFetchableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ShareFetchRequest;

/**
 * ShareFetch (KIP-932): applies the acknowledgements it carries, then acquires records for the member from each
 * partition of its share session and returns them with their AcquiredRecords ranges. Reads go through the partition
 * read path of Fetch (both stream formats); a fetch that acquired nothing waits up to MaxWaitMs for new records or
 * released ones ({@link ShareFetchWait}).
 */
public final class ShareFetchHandler implements ApiHandler<ShareFetchRequest> {

    private final SharePartitionAccess access;
    private final ShareSessions sessions;
    private final PartitionReads reads;
    private final FetchAnswers answers;
    private final ShareFetchWait waits;

    public ShareFetchHandler(io.korvet.topic.TopicManager topics, LogManager logs, io.korvet.cluster.PartitionLeadership leadership,
                             SharePartitions shares, ShareSessions sessions, io.netty.util.Timer timer) {
        this.access = new SharePartitionAccess(topics, logs, leadership, shares);
        this.sessions = sessions;
        this.reads = new PartitionReads(logs, leadership);
        this.answers = new FetchAnswers(leadership, TopicTraffic.NONE);
        this.waits = new ShareFetchWait(timer);
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_FETCH;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ShareFetchRequest request) {
        ShareFetchRequestData d = request.data();
        Errors refused = SharePartitionAccess.checkMember(context, d.groupId(), d.memberId());
        if (refused != null) {
            return CompletableFuture.completedFuture(top(refused, null));
        }
        List<Partition> added = new ArrayList<>();
        Map<Partition, List<AckBatch>> acks = new LinkedHashMap<>();
        for (ShareFetchRequestData.FetchTopic t : d.topics()) {
            for (ShareFetchRequestData.FetchPartition p : t.partitions()) {
                Partition part = new Partition(t.topicId(), p.partitionIndex());
                added.add(part);
                for (ShareFetchRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
                    acks.computeIfAbsent(part, k -> new ArrayList<>()).add(new AckBatch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
                }
            }
        }
        if (d.shareSessionEpoch() == 0 && !acks.isEmpty()) {
            return CompletableFuture.completedFuture(top(Errors.INVALID_REQUEST, "Acknowledge data present on initial share fetch request."));
        }
        List<Partition> forgotten = new ArrayList<>();
        d.forgottenTopicsData().forEach(t -> t.partitions().forEach(p -> forgotten.add(new Partition(t.topicId(), p))));
        ShareSessions.Use use = sessions.fetch(d.groupId(), d.memberId(), d.shareSessionEpoch(), added, forgotten);
        if (use.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(top(use.error(), null));
        }
        return access.acknowledge(context, d.groupId(), d.memberId(), acks).thenCompose(ackErrors -> {
            if (d.isRenewAck()) {
                // Renewing locks (v2): acknowledgements only, as Kafka answers them, nothing fetched.
                return access.shares().configs().effective(d.groupId())
                        .thenApply(c -> (ApiMessage) respond(Map.of(), ackErrors, c.lockDurationMs()));
            }
            if (d.shareSessionEpoch() == -1) {
                // The member closes its session: what it still holds is released, nothing is fetched.
                return access.release(context, d.groupId(), d.memberId(), use.session().partitions())
                        .thenApply(v -> (ApiMessage) respond(Map.of(), ackErrors, 0));
            }
            CompletableFuture<ApiMessage> response = new CompletableFuture<>();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(0, d.maxWaitMs()));
            attempt(context, d, use.session(), ackErrors, deadline, response);
            return response;
        });
    }

    private void attempt(RequestContext context, ShareFetchRequestData d, ShareSessions.Session session, Map<Partition, Errors> ackErrors,
                         long deadline, CompletableFuture<ApiMessage> response) {
        if (!sessions.isOpen(d.groupId(), d.memberId(), session)) {
            // The member closed its session (or opened another) while this fetch waited: it acquires nothing more.
            response.complete(respond(Map.of(), ackErrors, access.shares().configs().defaults().lockDurationMs()));
            return;
        }
        List<Resolved> resolved = new ArrayList<>();
        for (Partition p : session.rotated()) {
            resolved.add(access.resolve(context, p));
        }
        fetchAll(d, resolved).whenComplete((fetched, failure) -> {
            if (failure != null) {
                response.completeExceptionally(failure);
                return;
            }
            if (!sessions.isOpen(d.groupId(), d.memberId(), session)) {
                // Closed while this fetch read: what it acquired goes back at once rather than after the lock.
                access.release(context, d.groupId(), d.memberId(), session.partitions()).whenComplete((v, e) -> response.complete(
                        respond(Map.of(), ackErrors, access.shares().configs().defaults().lockDurationMs())));
                return;
            }
            boolean anything = !ackErrors.isEmpty() || fetched.values().stream()
                    .anyMatch(pd -> pd.errorCode() != Errors.NONE.code() || !pd.acquiredRecords().isEmpty());
            long remaining = deadline - System.nanoTime();
            if (anything || remaining <= 0 || resolved.isEmpty() || context.connection().closed()) {
                access.shares().configs().effective(d.groupId()).whenComplete((c, e) -> response.complete(respond(fetched, ackErrors,
                        c != null ? c.lockDurationMs() : access.shares().configs().defaults().lockDurationMs())));
                return;
            }
            waits.await(d.groupId(), resolved, access.shares(), context.connection(), remaining,
                    () -> attempt(context, d, session, Map.of(), deadline, response));
        });
    }

    /** Acquires from every partition, as many records as the request's MaxRecords over all of them. */
    private CompletionStage<Map<Partition, PartitionData>> fetchAll(ShareFetchRequestData d, List<Resolved> resolved) {
        Map<Partition, PartitionData> out = new LinkedHashMap<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        int[] budget = {d.maxRecords() > 0 ? d.maxRecords() : 500};
        for (Resolved r : resolved) {
            chain = chain.thenCompose(v -> fetchOne(d, r, budget[0]).thenAccept(pd -> {
                for (AcquiredRecords a : pd.acquiredRecords()) {
                    budget[0] -= (int) (a.lastOffset() - a.firstOffset() + 1);
                }
                out.put(r.partition(), pd);
            }).toCompletableFuture());
        }
        return chain.thenApply(v -> out);
    }

    private CompletionStage<PartitionData> fetchOne(ShareFetchRequestData d, Resolved r, int maxRecords) {
        PartitionData pd = new PartitionData().setPartitionIndex(r.partition().partition()).setRecords(MemoryRecords.EMPTY);
        if (r.error() != Errors.NONE) {
            if (r.error() == Errors.NOT_LEADER_OR_FOLLOWER) {
                pd.currentLeader().setLeaderId(access.leadership().leaderOf(r.topic(), r.partition().partition()))
                        .setLeaderEpoch(access.leadership().epochOf(r.topic(), r.partition().partition()));
            }
            return CompletableFuture.completedFuture(pd.setErrorCode(r.error().code()));
        }
        if (maxRecords <= 0) {
            return CompletableFuture.completedFuture(pd);
        }
        return access.shares().open(d.groupId(), r.log()).thenCompose(h -> r.log().ensureLoaded().thenCompose(v -> {
            long offset = h.nextFetchOffset(r.log().logStartOffset());
            boolean committed = h.readCommitted();
            if (offset >= (committed ? r.log().lastStableOffset() : r.log().highWatermark())) {
                return CompletableFuture.completedFuture(pd);
            }
            FetchPartition fp = new FetchPartition().setPartition(r.partition().partition()).setFetchOffset(offset)
                    .setPartitionMaxBytes(d.maxBytes()).setCurrentLeaderEpoch(-1);
            Wanted w = new Wanted(PartitionKey.byId(r.partition().topicId(), r.partition().partition()), fp, r.topic(), r.log(), Errors.NONE);
            // share.isolation.level: read_committed reads below the last stable offset, and learns the aborted transactions.
            return reads.read(w, null, committed).thenCompose(read -> acquire(d, h, read, pd, offset, maxRecords));
        })).exceptionally(e -> pd.setErrorCode(ErrorMapper.toError(e, ApiKeys.SHARE_FETCH).code()));
    }

    private CompletionStage<PartitionData> acquire(ShareFetchRequestData d, SharePartitions.Handle h, Read read, PartitionData pd,
                                                  long offset, int maxRecords) {
        if (read.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(pd.setErrorCode(read.error().code()));
        }
        FetchResponseData.PartitionData answered = answers.answers(List.of(read), d.maxBytes(), (short) 16).values().iterator().next();
        MemoryRecords records = (MemoryRecords) answered.records();
        if (answered.errorCode() != Errors.NONE.code() || records == null || records.sizeInBytes() == 0) {
            return CompletableFuture.completedFuture(pd.setErrorCode(answered.errorCode()));
        }
        long last = -1;
        for (RecordBatch b : records.batches()) {
            last = b.lastOffset();
        }
        return h.acquire(d.memberId(), offset, last, maxRecords, records.batches(), read.aborted()).thenApply(acquired -> {
            if (acquired.isEmpty()) {
                return pd;
            }
            for (Acquired a : acquired) {
                pd.acquiredRecords().add(new AcquiredRecords().setFirstOffset(a.firstOffset()).setLastOffset(a.lastOffset())
                        .setDeliveryCount((short) a.deliveryCount()));
            }
            return pd.setRecords(records);
        });
    }

    private static ShareFetchResponseData respond(Map<Partition, PartitionData> fetched, Map<Partition, Errors> ackErrors, int lockMs) {
        ShareFetchResponseData out = new ShareFetchResponseData().setAcquisitionLockTimeoutMs(lockMs);
        Map<org.apache.kafka.common.Uuid, ShareFetchableTopicResponse> byTopic = new LinkedHashMap<>();
        Map<Partition, PartitionData> all = new LinkedHashMap<>(fetched);
        ackErrors.forEach((p, e) -> all.computeIfAbsent(p, k -> new PartitionData().setPartitionIndex(p.partition())
                .setRecords(MemoryRecords.EMPTY)).setAcknowledgeErrorCode(e.code()));
        all.forEach((p, pd) -> {
            if (pd.errorCode() == Errors.NONE.code() && pd.acquiredRecords().isEmpty() && !ackErrors.containsKey(p)) {
                return;
            }
            byTopic.computeIfAbsent(p.topicId(), id -> {
                ShareFetchableTopicResponse t = new ShareFetchableTopicResponse().setTopicId(id);
                out.responses().add(t);
                return t;
            }).partitions().add(pd);
        });
        return out;
    }

    private static ShareFetchResponseData top(Errors error, String message) {
        return new ShareFetchResponseData().setErrorCode(error.code()).setErrorMessage(message == null ? error.message() : message);
    }
}
