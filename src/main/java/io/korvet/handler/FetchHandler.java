package io.korvet.handler;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ConnectionCloseHooks;
import io.korvet.dispatch.RequestContext;
import io.korvet.quota.ClientQuotas;
import io.korvet.quota.Throttles;
import io.korvet.handler.PartitionReads.Read;
import io.korvet.handler.PartitionReads.Wanted;
import io.korvet.handler.fetch.FetchContext;
import io.korvet.handler.fetch.FetchSessions;
import io.korvet.handler.fetch.PartitionKey;
import io.korvet.log.LogManager;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Fetch: reads every partition of the request, or of its incremental fetch session (KIP-227, {@link FetchSessions}),
 * within the partition and response byte limits ({@link PartitionReads}, {@link FetchAnswers}), and when fewer than
 * {@code min_bytes} are there, waits up to {@code max_wait_ms} for a partition leader to say new records arrived
 * (never polling Redis). An incremental answer carries only the partitions with something new.
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {

    /** How often a fetch waiting on a follower looks for new records (a follower hears of no appends). */
    private static final long FOLLOWER_POLL_MS = 50;

    private final TopicManager topics;
    private final LogManager logs;
    private final HashedWheelTimer timer;
    private final FetchSessions sessions;
    private final PartitionReads reads;
    private final FetchAnswers answers;
    private final Throttles throttles;

    public FetchHandler(TopicManager topics, LogManager logs, HashedWheelTimer timer, PartitionLeadership leadership) {
        this(topics, logs, timer, leadership, TopicTraffic.NONE, FetchSessions.withSlots(0));
    }

    public FetchHandler(TopicManager topics, LogManager logs, HashedWheelTimer timer, PartitionLeadership leadership,
                        TopicTraffic traffic, FetchSessions sessions) {
        this(topics, logs, timer, leadership, traffic, sessions, Throttles.NONE);
    }

    /** @param throttles the client quotas: a consumer past its {@code consumer_byte_rate} is throttled */
    public FetchHandler(TopicManager topics, LogManager logs, HashedWheelTimer timer, PartitionLeadership leadership,
                        TopicTraffic traffic, FetchSessions sessions, Throttles throttles) {
        this.throttles = throttles;
        this.topics = topics;
        this.logs = logs;
        this.timer = timer;
        this.sessions = sessions;
        this.reads = new PartitionReads(logs, leadership);
        this.answers = new FetchAnswers(leadership, traffic);
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

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, FetchRequest request) {
        FetchRequestData data = request.data();
        boolean byId = context.apiVersion() >= 13;
        // A partition named twice is read once, with the parameters of its last mention, where it was first named:
        // Kafka keeps a request's partitions in a map the same way, so the answer has each partition once.
        LinkedHashMap<PartitionKey, FetchPartition> fetchData = new LinkedHashMap<>();
        for (FetchTopic ft : data.topics()) {
            for (FetchPartition fp : ft.partitions()) {
                fetchData.put(byId ? PartitionKey.byId(ft.topicId(), fp.partition()) : PartitionKey.byName(ft.topic(), fp.partition()), fp);
            }
        }
        List<PartitionKey> toForget = new ArrayList<>();
        for (ForgottenTopic ft : data.forgottenTopicsData()) {
            for (int partition : ft.partitions()) {
                toForget.add(byId ? PartitionKey.byId(ft.topicId(), partition) : PartitionKey.byName(ft.topic(), partition));
            }
        }
        FetchContext fetch = sessions.newContext(byId, data.sessionId(), data.sessionEpoch(), fetchData, toForget);
        List<Wanted> wanted = resolve(context, fetch.partitions());
        CompletableFuture<ApiMessage> response = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, data.maxWaitMs()));
        attempt(new Fetch(data, context, fetch, wanted, deadline, response));
        return response;
    }

    /** Each partition to read with its topic and log, or the error that answers it (unknown, not authorized). */
    private List<Wanted> resolve(RequestContext context, Map<PartitionKey, FetchPartition> partitions) {
        List<Wanted> wanted = new ArrayList<>(partitions.size());
        Map<String, Boolean> authorizedTopics = new HashMap<>();
        for (Map.Entry<PartitionKey, FetchPartition> e : partitions.entrySet()) {
            PartitionKey key = e.getKey();
            FetchPartition fp = e.getValue();
            boolean byId = key.topic() == null;
            Topic topic = byId ? topics.get(key.topicId()) : topics.get(key.topic());
            String name = topic != null ? topic.name() : key.topic();
            boolean authorized = name == null
                    || authorizedTopics.computeIfAbsent(name, n -> context.allowed(AclOperation.READ, ResourceType.TOPIC, n));
            if (!authorized) {
                wanted.add(new Wanted(key, fp, null, null, Errors.TOPIC_AUTHORIZATION_FAILED));
            } else if (topic == null) {
                wanted.add(new Wanted(key, fp, null, null, byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION));
            } else if (!topic.hasPartition(fp.partition())) {
                wanted.add(new Wanted(key, fp, topic, null, Errors.UNKNOWN_TOPIC_OR_PARTITION));
            } else {
                wanted.add(new Wanted(key, fp, topic, logs.log(new TopicPartition(topic.name(), fp.partition())), Errors.NONE));
            }
        }
        return wanted;
    }

    /** One Fetch request in progress: read, and perhaps wait and read again, until it is answered. */
    private record Fetch(FetchRequestData data, RequestContext context, FetchContext session, List<Wanted> wanted,
                         long deadline, CompletableFuture<ApiMessage> response) {
    }

    private void attempt(Fetch f) {
        ConnectionCloseHooks connection = f.context.connection();
        short version = f.context.apiVersion();
        if (connection.closed()) {
            // Nobody will read the answer: stop waiting and reading, and let the request count as answered.
            f.response.complete(new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0));
            return;
        }
        List<CompletableFuture<Read>> pending = new ArrayList<>(f.wanted.size());
        for (Wanted w : f.wanted) {
            // As Kafka's brokers, only clients that can follow a preferred read replica (v11+) read from followers.
            pending.add(reads.read(w, version >= 11 ? f.data.rackId() : null, f.data.isolationLevel() == 1).toCompletableFuture());
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).whenComplete((v, e) -> {
            try {
                answerOrWait(f, pending);
            } catch (RuntimeException failure) {
                // Never leave the request unanswered: the dispatcher turns this into the error response.
                f.response.completeExceptionally(failure);
            }
        });
    }

    private void answerOrWait(Fetch f, List<CompletableFuture<Read>> pending) {
        List<Read> results = new ArrayList<>(pending.size());
        int bytes = 0;
        boolean anyError = false;
        for (CompletableFuture<Read> r : pending) {
            Read read = r.join();
            results.add(read);
            // An error, or a redirect to a replica of the consumer's rack, is answered at once.
            anyError |= read.error() != Errors.NONE || read.preferredReadReplica() >= 0;
            bytes += read.bytes();
        }
        long remaining = f.deadline - System.nanoTime();
        if (bytes >= f.data.minBytes() || anyError || remaining <= 0 || f.wanted.isEmpty()) {
            short version = f.context.apiVersion();
            FetchResponseData out = respond(f, results);
            answers.addLeaderEndpoints(out, version, f.context.listenerName());
            f.response.complete(out);
            return;
        }
        waitForData(f, remaining);
    }

    /**
     * The answer, unless the records it would carry put the consumer past its {@code consumer_byte_rate}: then, as
     * Kafka answers, an empty response with the throttle time (the session left as it was, so the records are read
     * again after the throttle), and the connection muted for that time. A response holds no more than the quota
     * allows over its window, as Kafka caps a throttled consumer's fetch size.
     */
    private FetchResponseData respond(Fetch f, List<Read> results) {
        RequestContext c = f.context;
        String user = c.quotaUser();
        String clientId = c.quotaClientId();
        int maxBytes = Math.min(f.data.maxBytes(), throttles.maxValueInWindow(ClientQuotas.CONSUMER_BYTE_RATE, user, clientId));
        LinkedHashMap<PartitionKey, PartitionData> partitions = answers.answers(results, maxBytes, c.apiVersion());
        long bytes = 0;
        for (PartitionData p : partitions.values()) {
            bytes += FetchResponse.recordsSize(p);
        }
        long now = System.currentTimeMillis();
        int throttleMs = throttles.recordAndThrottleMs(ClientQuotas.CONSUMER_BYTE_RATE, user, clientId, bytes, now);
        if (throttleMs == 0) {
            return f.session.respond(partitions);
        }
        throttles.unrecord(ClientQuotas.CONSUMER_BYTE_RATE, user, clientId, bytes, now);
        c.mute().muteFor(throttleMs);
        return f.session.throttled().setThrottleTimeMs(throttleMs);
    }

    /**
     * Waits until a partition of the request (of its whole session, for an incremental one) gets new records, the
     * wait times out or the client's connection closes, then reads again.
     */
    private void waitForData(Fetch f, long remainingNanos) {
        ConnectionCloseHooks connection = f.context.connection();
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
            for (Wanted w : f.wanted) {
                if (w.log() != null) {
                    w.log().removeListener(wake[0]);
                }
            }
            connection.remove(wake[0]);
            attempt(f);
        };
        boolean follower = false;
        for (Wanted w : f.wanted) {
            if (w.log() != null) {
                w.log().onNextAppend(wake[0]);
            }
            follower |= reads.readsAsFollower(w);
        }
        // A follower hears of no appends: it looks again every FOLLOWER_POLL_MS (the deadline stays the request's).
        long wait = follower ? Math.min(remainingNanos, TimeUnit.MILLISECONDS.toNanos(FOLLOWER_POLL_MS)) : remainingNanos;
        timeout[0] = timer.newTimeout(t -> wake[0].run(), wait, TimeUnit.NANOSECONDS);
        connection.onClose(wake[0]);
        if (fired.get()) {
            // Woken before the hook was in place: its removal ran first, so remove it now.
            connection.remove(wake[0]);
        }
    }
}
