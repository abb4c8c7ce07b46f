package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ConnectionCloseHooks;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.log.FetchedRecordsAssembler;
import io.korvet.log.LogManager;
import io.korvet.log.FollowerReads;
import io.korvet.log.PartitionLog;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.StoredRecord;
import io.korvet.storage.StreamFormat;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.FetchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch: reads every requested partition from its stream, within the partition and response byte
 * limits, and when fewer than {@code min_bytes} are there, waits up to {@code max_wait_ms} for a
 * partition leader to say new records arrived (never polling Redis). Fetch sessions are not kept: every
 * response carries session id 0, so clients send full fetch requests, which Kafka's protocol allows.
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {

    private static final Logger log = LoggerFactory.getLogger(FetchHandler.class);
    private static final int MAX_RECORDS_PER_READ = 10_000;
    private static final int MAX_BATCHES_PER_READ = 1_000;

    private final TopicManager topics;
    private final LogManager logs;
    private final HashedWheelTimer timer;
    /** Bytes a follower guesses a stored entry holds when sizing its read (it keeps no averages of its own). */
    private static final int FOLLOWER_BATCH_GUESS = 4096;
    private static final int FOLLOWER_RECORD_GUESS = 256;
    /** How often a fetch waiting on a follower looks for new records (a follower hears of no appends). */
    private static final long FOLLOWER_POLL_MS = 50;

    private final PartitionLeadership leadership;
    private final TopicTraffic traffic;
    private final FollowerReads followers;

    public FetchHandler(TopicManager topics, LogManager logs, HashedWheelTimer timer, PartitionLeadership leadership) {
        this(topics, logs, timer, leadership, TopicTraffic.NONE);
    }

    public FetchHandler(TopicManager topics, LogManager logs, HashedWheelTimer timer, PartitionLeadership leadership,
                        TopicTraffic traffic) {
        this.traffic = traffic;
        this.topics = topics;
        this.logs = logs;
        this.timer = timer;
        this.leadership = leadership;
        this.followers = new FollowerReads(logs.store());
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public short minVersion() {
        return 4;
    }

    @Override
    public short maxVersion() {
        return 18;
    }

    /** One requested partition, resolved. */
    private record Wanted(FetchTopic requestTopic, FetchPartition request, Topic topic, PartitionLog log, Errors error) {
    }

    /** A partition as the request names it: by topic id (v13+) or by topic name. */
    private record PartitionKey(Object topic, int partition) {
    }

    /** What one read of a partition found. */
    private record Read(Wanted wanted, Errors error, List<StoredRecord> records, StoredBatches batches, long highWatermark,
                        long logStartOffset, int count, int preferredReadReplica) {

        Read(Wanted wanted, Errors error, List<StoredRecord> records, StoredBatches batches, long highWatermark,
             long logStartOffset, int count) {
            this(wanted, error, records, batches, highWatermark, logStartOffset, count, -1);
        }

        Read(Wanted wanted, Errors error, long highWatermark, long logStartOffset) {
            this(wanted, error, List.of(), StoredBatches.EMPTY, highWatermark, logStartOffset, 0);
        }

        /** The bytes read: the stored batches', or the keys and values of the records. */
        int bytes() {
            if (!batches.isEmpty()) {
                return batches.bytesThrough(batches.count() - 1);
            }
            int bytes = 0;
            for (StoredRecord rec : records) {
                bytes += (rec.value() == null ? 0 : rec.value().length) + (rec.key() == null ? 0 : rec.key().length);
            }
            return bytes;
        }
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, FetchRequest request) {
        FetchRequestData data = request.data();
        if (data.sessionId() != 0 || (data.sessionEpoch() != 0 && data.sessionEpoch() != -1)) {
            FetchResponseData error = new FetchResponseData()
                    .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code())
                    .setSessionId(0);
            return CompletableFuture.completedFuture(error);
        }
        boolean byId = context.apiVersion() >= 13;
        // A partition named twice is read once, with the parameters of its last mention, where it was first named:
        // Kafka keeps a request's partitions in a map the same way, so the answer has each partition once.
        Map<PartitionKey, Wanted> byPartition = new LinkedHashMap<>();
        for (FetchTopic ft : data.topics()) {
            Topic topic = byId ? topics.get(ft.topicId()) : topics.get(ft.topic());
            String name = topic != null ? topic.name() : byId ? null : ft.topic();
            boolean authorized = name == null || context.allowed(AclOperation.READ, ResourceType.TOPIC, name);
            for (FetchPartition fp : ft.partitions()) {
                PartitionKey key = new PartitionKey(byId ? ft.topicId() : ft.topic(), fp.partition());
                FetchTopic requestTopic = byPartition.containsKey(key) ? byPartition.get(key).requestTopic : ft;
                Wanted w;
                if (!authorized) {
                    w = new Wanted(requestTopic, fp, null, null, Errors.TOPIC_AUTHORIZATION_FAILED);
                } else if (topic == null) {
                    w = new Wanted(requestTopic, fp, null, null, byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (!topic.hasPartition(fp.partition())) {
                    w = new Wanted(requestTopic, fp, topic, null, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    w = new Wanted(requestTopic, fp, topic, logs.log(new TopicPartition(topic.name(), fp.partition())), Errors.NONE);
                }
                byPartition.put(key, w);
            }
        }
        List<Wanted> wanted = new ArrayList<>(byPartition.values());
        CompletableFuture<ApiMessage> response = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, data.maxWaitMs()));
        attempt(data, context, wanted, deadline, response);
        return response;
    }

    private void attempt(FetchRequestData data, RequestContext context, List<Wanted> wanted, long deadline,
                         CompletableFuture<ApiMessage> response) {
        ConnectionCloseHooks connection = context.connection();
        short version = context.apiVersion();
        if (connection.closed()) {
            // Nobody will read the answer: stop waiting and reading, and let the request count as answered.
            response.complete(new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0));
            return;
        }
        List<CompletableFuture<Read>> reads = new ArrayList<>(wanted.size());
        for (Wanted w : wanted) {
            // As Kafka's brokers, only clients that can follow a preferred read replica (v11+) read from followers.
            reads.add(read(w, version >= 11 ? data.rackId() : null).toCompletableFuture());
        }
        CompletableFuture.allOf(reads.toArray(new CompletableFuture[0])).whenComplete((v, e) -> {
            try {
                answerOrWait(data, context, wanted, deadline, response, reads);
            } catch (RuntimeException failure) {
                // Never leave the request unanswered: the dispatcher turns this into the error response.
                response.completeExceptionally(failure);
            }
        });
    }

    private void answerOrWait(FetchRequestData data, RequestContext context, List<Wanted> wanted, long deadline,
                              CompletableFuture<ApiMessage> response, List<CompletableFuture<Read>> reads) {
        List<Read> results = new ArrayList<>(reads.size());
        int bytes = 0;
        boolean anyError = false;
        for (CompletableFuture<Read> r : reads) {
            Read read = r.join();
            results.add(read);
            // An error, or a redirect to a replica of the consumer's rack, is answered at once.
            anyError |= read.error != Errors.NONE || read.preferredReadReplica >= 0;
            bytes += read.bytes();
        }
        long remaining = deadline - System.nanoTime();
        if (bytes >= data.minBytes() || anyError || remaining <= 0 || wanted.isEmpty()) {
            response.complete(respond(data, results, context.apiVersion(), context.listenerName()));
            return;
        }
        waitForData(data, context, wanted, deadline, remaining, response);
    }

    /**
     * Waits until a partition of the request gets new records, the wait times out or the client's connection
     * closes, then reads again.
     */
    private void waitForData(FetchRequestData data, RequestContext context, List<Wanted> wanted, long deadline, long remainingNanos,
                             CompletableFuture<ApiMessage> response) {
        ConnectionCloseHooks connection = context.connection();
        AtomicBoolean fired = new AtomicBoolean();
        Timeout[] timeout = new Timeout[1];
        Runnable[] wake = new Runnable[1];
        wake[0] = () -> {
            if (!fired.compareAndSet(false, true)) {
                return;
            }
            if (timeout[0] != null) {
                timeout[0].cancel();
            }
            for (Wanted w : wanted) {
                if (w.log != null) {
                    w.log.removeListener(wake[0]);
                }
            }
            connection.remove(wake[0]);
            attempt(data, context, wanted, deadline, response);
        };
        for (Wanted w : wanted) {
            if (w.log != null) {
                w.log.onNextAppend(wake[0]);
            }
        }
        // A follower hears of no appends: it looks again every FOLLOWER_POLL_MS (the deadline stays the request's).
        boolean follower = false;
        for (Wanted w : wanted) {
            follower |= w.topic != null && w.error == Errors.NONE && !leadership.leads(w.topic, w.request.partition());
        }
        long wait = follower ? Math.min(remainingNanos, TimeUnit.MILLISECONDS.toNanos(FOLLOWER_POLL_MS)) : remainingNanos;
        timeout[0] = timer.newTimeout(t -> wake[0].run(), wait, TimeUnit.NANOSECONDS);
        connection.onClose(wake[0]);
    }

    /** @param clientRack the consumer's rack ("" for none), or null when its version reads from leaders only */
    private CompletionStage<Read> read(Wanted w, String clientRack) {
        if (w.error != Errors.NONE) {
            return CompletableFuture.completedFuture(new Read(w, w.error, -1, -1));
        }
        PartitionLog log = w.log;
        // Checked at every attempt: a fetch waiting for records here reads as a follower once this broker stops leading.
        if (!leadership.leads(w.topic, w.request.partition())) {
            return clientRack == null ? CompletableFuture.completedFuture(new Read(w, Errors.NOT_LEADER_OR_FOLLOWER, -1, -1))
                    : followerRead(w);
        }
        return log.ensureLoaded().thenCompose(v -> {
            Errors epochError = LeaderEpochCheck.check(w.request.currentLeaderEpoch(), log.leaderEpoch());
            if (epochError != Errors.NONE) {
                return CompletableFuture.completedFuture(new Read(w, epochError, -1, -1));
            }
            long hw = log.highWatermark();
            long start = log.logStartOffset();
            int preferred = leadership.preferredReadReplica(w.topic, w.request.partition(), clientRack);
            if (preferred >= 0) {
                // KIP-392: no records from here; the consumer fetches from the broker of its rack from now on.
                return CompletableFuture.completedFuture(new Read(w, Errors.NONE, List.of(), StoredBatches.EMPTY, hw, start, 0, preferred));
            }
            return readRange(w, start, hw, new Source(log.averageBatchBytes(), log.averageRecordBytes(), true,
                    log::readBatches, log::read));
        }).exceptionally(e -> new Read(w, ErrorMapper.toError(e, ApiKeys.FETCH), -1, -1));
    }

    /**
     * A consumer fetching from this broker, a follower of the partition (KIP-392), or one whose metadata still names
     * it the leader: read from the stream up to what the leader acknowledged, without claiming the partition.
     */
    private CompletionStage<Read> followerRead(Wanted w) {
        TopicPartition tp = new TopicPartition(w.topic.name(), w.request.partition());
        return followers.offsets(tp).thenCompose(o -> {
            long hw = o.highWatermark();
            return readRange(w, o.logStartOffset(), hw, new Source(FOLLOWER_BATCH_GUESS, FOLLOWER_RECORD_GUESS, false,
                    (offset, count) -> followers.readBatches(tp, offset, count, hw),
                    (offset, count) -> followers.read(tp, offset, count, hw)));
        }).exceptionally(e -> new Read(w, ErrorMapper.toError(e, ApiKeys.FETCH), -1, -1));
    }

    /**
     * Where a partition's records come from: the leader's log (which reads ahead for the next fetch) or, on a
     * follower, the stream itself up to the leader's high watermark; and the entry sizes the read is sized by.
     */
    private record Source(int averageBatchBytes, int averageRecordBytes, boolean readsAhead,
                          BiFunction<Long, Integer, CompletionStage<StoredBatches>> batches,
                          BiFunction<Long, Integer, CompletionStage<List<StoredRecord>>> records) {
    }

    /** The records from the fetch offset, within [start, hw] (OFFSET_OUT_OF_RANGE outside), as many as the request's bytes. */
    private static CompletionStage<Read> readRange(Wanted w, long start, long hw, Source source) {
        long offset = w.request.fetchOffset();
        if (offset < start || offset > hw) {
            return CompletableFuture.completedFuture(new Read(w, Errors.OFFSET_OUT_OF_RANGE, hw, start));
        }
        if (offset == hw) {
            return CompletableFuture.completedFuture(new Read(w, Errors.NONE, hw, start));
        }
        long maxBytes = Math.max(0, w.request.partitionMaxBytes());
        if (w.topic.format() == StreamFormat.BATCH) {
            int count = (int) Math.max(1, Math.min(MAX_BATCHES_PER_READ, maxBytes / source.averageBatchBytes() + 1));
            return source.batches().apply(offset, count).thenApply(
                    batches -> new Read(w, Errors.NONE, List.of(), batches, hw, start, source.readsAhead() ? count : 0));
        }
        int count = (int) Math.max(1, Math.min(MAX_RECORDS_PER_READ, maxBytes / source.averageRecordBytes() + 1));
        return source.records().apply(offset, count).thenApply(
                records -> new Read(w, Errors.NONE, records, StoredBatches.EMPTY, hw, start, source.readsAhead() ? count : 0));
    }

    private FetchResponseData respond(FetchRequestData data, List<Read> reads, short version, String listenerName) {
        FetchResponseData out = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
        int budget = Math.max(0, data.maxBytes());
        boolean firstData = true;
        FetchableTopicResponse current = null;
        FetchTopic currentRequest = null;
        for (Read r : reads) {
            if (r.wanted.requestTopic != currentRequest) {
                currentRequest = r.wanted.requestTopic;
                current = new FetchableTopicResponse().setTopic(currentRequest.topic()).setTopicId(
                        currentRequest.topicId() == null ? Uuid.ZERO_UUID : currentRequest.topicId());
                out.responses().add(current);
            }
            PartitionData pd = new PartitionData()
                    .setPartitionIndex(r.wanted.request.partition())
                    .setErrorCode(r.error.code())
                    .setHighWatermark(r.highWatermark)
                    .setLastStableOffset(r.highWatermark)
                    .setLogStartOffset(r.logStartOffset)
                    .setPreferredReadReplica(r.preferredReadReplica)
                    .setRecords(MemoryRecords.EMPTY);
            if (r.error == Errors.NOT_LEADER_OR_FOLLOWER && version >= 12) {
                int leader = leadership.leaderOf(r.wanted.topic, r.wanted.request.partition());
                pd.currentLeader().setLeaderId(leader).setLeaderEpoch(leadership.epochOf(r.wanted.topic, r.wanted.request.partition()));
                BrokerInfo b = leadership.view().broker(leader);
                io.korvet.config.Endpoint e = b == null ? null : b.on(listenerName);
                if (version >= 16 && e != null && out.nodeEndpoints().find(leader) == null) {
                    out.nodeEndpoints().add(new FetchResponseData.NodeEndpoint()
                            .setNodeId(leader).setHost(e.host()).setPort(e.port()).setRack(b.rack()));
                }
            }
            if (!r.batches.isEmpty()) {
                int limit = Math.min(budget, Math.max(0, r.wanted.request.partitionMaxBytes()));
                StoredBatches sent = withinLimit(r.batches, limit, firstData);
                if (!sent.isEmpty()) {
                    MemoryRecords records = MemoryRecords.readableRecords(sent.buffer());
                    pd.setRecords(records);
                    long handed = 0;
                    for (int i = 0; i < sent.count(); i++) {
                        handed += sent.lastOffset(i) - sent.baseOffset(i) + 1;
                    }
                    traffic.fetched(r.wanted.topic.name(), handed, records.sizeInBytes());
                    budget = Math.max(0, budget - records.sizeInBytes());
                    firstData = false;
                    if (r.count > 0) {
                        r.wanted.log.readAhead(sent.lastOffset(sent.count() - 1) + 1, r.count, true);
                    }
                }
            } else if (!r.records.isEmpty()) {
                int limit = Math.min(budget, Math.max(0, r.wanted.request.partitionMaxBytes()));
                FetchedRecordsAssembler.Assembled assembled;
                try {
                    assembled = FetchedRecordsAssembler.assemble(r.records, limit, firstData,
                            r.wanted.topic.logAppendTime() ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME);
                } catch (RuntimeException e) {
                    // A stored record kafka-clients cannot write into a batch (one a broker before the produce checks
                    // took): this partition is answered as Kafka answers a corrupt one; the others are not held up.
                    log.error("Records of {} from offset {} cannot be sent", r.wanted.topic.name() + "-" + r.wanted.request.partition(),
                            r.wanted.request.fetchOffset(), e);
                    current.partitions().add(pd.setErrorCode(Errors.CORRUPT_MESSAGE.code()));
                    continue;
                }
                if (assembled.sizeInBytes() > 0) {
                    pd.setRecords(assembled.records());
                    traffic.fetched(r.wanted.topic.name(), assembled.nextOffset() - r.records.get(0).offset(),
                            assembled.sizeInBytes());
                    budget = Math.max(0, budget - assembled.sizeInBytes());
                    firstData = false;
                    // A consumer behind the high watermark fetches from here next: have Redis read it now.
                    if (r.count > 0) {
                        r.wanted.log.readAhead(assembled.nextOffset(), r.count, false);
                    }
                }
            }
            current.partitions().add(pd);
        }
        return out;
    }

    /**
     * The stored batches a partition's answer carries: as many whole ones as fit in {@code limit} bytes, and at least
     * the first when it is the response's first data, however large (KIP-74), so that a consumer always progresses.
     */
    static StoredBatches withinLimit(StoredBatches batches, int limit, boolean firstData) {
        int n = 0;
        while (n < batches.count() && batches.bytesThrough(n) <= limit) {
            n++;
        }
        if (n == 0 && firstData) {
            n = 1;
        }
        return batches.first(n);
    }
}
