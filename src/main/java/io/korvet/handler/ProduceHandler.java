package io.korvet.handler;

import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.quota.ClientQuotas;
import io.korvet.quota.Throttles;
import io.korvet.log.AppendResult;
import io.korvet.log.BatchDecoder;
import io.korvet.log.IncomingBatch;
import io.korvet.log.LogManager;
import io.korvet.storage.ReplicaWaiter;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequiredAcksException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: each partition validated and appended on its own (one partition's error does not fail the
 * others), all partitions' appends sent to Redis at once, and the response sent when every one has
 * been answered. Topics are named by id from v13 on.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequest> {

    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);

    private final TopicManager topics;
    private final LogManager logs;
    private final ReplicaWaiter replicas;
    private final PartitionLeadership leadership;
    private final TopicTraffic traffic;

    /** Whether a producer's open transaction holds a partition (the transaction coordinator's state). */
    public interface TransactionVerifier {
        CompletionStage<Errors> verify(String transactionalId, long producerId, short epoch, TopicPartition tp);
    }

    private static final TransactionVerifier NO_TRANSACTIONS = (id, pid, epoch, tp) ->
            CompletableFuture.completedFuture(Errors.INVALID_TXN_STATE);

    private final TransactionVerifier transactions;
    private final Throttles throttles;

    public ProduceHandler(TopicManager topics, LogManager logs, ReplicaWaiter replicas, PartitionLeadership leadership) {
        this(topics, logs, replicas, leadership, TopicTraffic.NONE, NO_TRANSACTIONS);
    }

    public ProduceHandler(TopicManager topics, LogManager logs, ReplicaWaiter replicas, PartitionLeadership leadership,
                          TopicTraffic traffic, TransactionVerifier transactions) {
        this(topics, logs, replicas, leadership, traffic, transactions, Throttles.NONE);
    }

    /** @param throttles the client quotas: a client past its {@code producer_byte_rate} is throttled */
    public ProduceHandler(TopicManager topics, LogManager logs, ReplicaWaiter replicas, PartitionLeadership leadership,
                          TopicTraffic traffic, TransactionVerifier transactions, Throttles throttles) {
        this.throttles = throttles;
        this.transactions = transactions;
        this.traffic = traffic;
        this.topics = topics;
        this.logs = logs;
        this.replicas = replicas;
        this.leadership = leadership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public short minVersion() {
        return 3;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ProduceRequest request) {
        short acks = request.acks();
        boolean validAcks = acks == -1 || acks == 0 || acks == 1;
        long now = System.currentTimeMillis();
        List<CompletableFuture<PartitionProduceResponse>> all = new ArrayList<>();
        String txnId = request.data().transactionalId();
        boolean txnAuthorized = txnId == null || context.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, txnId);
        List<TopicProduceResponse> topicResponses = new ArrayList<>();
        List<List<CompletableFuture<PartitionProduceResponse>>> partitionsByTopic = new ArrayList<>();
        for (TopicProduceData td : request.data().topicData()) {
            Topic topic = td.name() != null && !td.name().isEmpty() ? topics.get(td.name()) : topics.get(td.topicId());
            TopicProduceResponse tr = new TopicProduceResponse().setName(td.name()).setTopicId(td.topicId());
            String name = topic != null ? topic.name() : td.name() != null && !td.name().isEmpty() ? td.name() : null;
            boolean authorized = name == null || context.allowed(AclOperation.WRITE, ResourceType.TOPIC, name);
            List<CompletableFuture<PartitionProduceResponse>> parts = new ArrayList<>();
            topicResponses.add(tr);
            partitionsByTopic.add(parts);
            for (PartitionProduceData pd : td.partitionData()) {
                CompletableFuture<PartitionProduceResponse> part;
                if (!txnAuthorized) {
                    part = done(error(pd.index(), Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, null));
                } else if (!validAcks) {
                    part = done(error(pd.index(), new InvalidRequiredAcksException("Invalid required acks " + acks)));
                } else if (!authorized) {
                    part = done(error(pd.index(), Errors.TOPIC_AUTHORIZATION_FAILED, null));
                } else if (topic == null) {
                    // Maybe created on another broker a moment ago: a later batch of the same producer must not be
                    // written before this one once this broker knows the topic.
                    logs.earlyRejections().rejected(td.name() != null && !td.name().isEmpty() ? td.name() : td.topicId(),
                            pd.index(), firstBatch(pd));
                    part = done(error(pd.index(), context.apiVersion() >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION, null));
                } else if (!topic.hasPartition(pd.index())) {
                    part = done(error(pd.index(), Errors.UNKNOWN_TOPIC_OR_PARTITION, null));
                } else if (!leadership.leads(topic, pd.index())) {
                    part = done(notLeader(topic, pd.index(), context.apiVersion()));
                } else {
                    int replicasNeeded = acks == -1 ? topic.minInsyncReplicas() - 1 : 0;
                    part = append(topic, pd, now, context, replicasNeeded, request.data().timeoutMs(), request.data().transactionalId());
                }
                parts.add(part);
                all.add(part);
            }
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).thenApply(v -> {
            // As Kafka: the request's size counts against the client's producer_byte_rate once it is handled, and
            // a client past it is throttled, acks=0 too (its connection muted, with no response to carry the time).
            int throttleMs = throttles.recordAndThrottleMs(ClientQuotas.PRODUCER_BYTE_RATE, context.quotaUser(),
                    context.quotaClientId(), context.requestBytes(), System.currentTimeMillis());
            if (throttleMs > 0) {
                context.mute().muteFor(throttleMs);
            }
            if (acks == 0) {
                // No response is due; as Kafka does, a failed acks=0 produce closes the connection so the
                // client notices (the dispatcher closes it when a request without response fails).
                for (CompletableFuture<PartitionProduceResponse> p : all) {
                    if (p.join().errorCode() != Errors.NONE.code()) {
                        Errors error = Errors.forCode(p.join().errorCode());
                        throw error.exception("acks=0 produce failed: " + error + " " + p.join().errorMessage());
                    }
                }
                return null;
            }
            ProduceResponseData data = new ProduceResponseData().setThrottleTimeMs(throttleMs);
            Set<Integer> leaders = new TreeSet<>();
            for (int i = 0; i < topicResponses.size(); i++) {
                TopicProduceResponse tr = topicResponses.get(i);
                partitionsByTopic.get(i).forEach(p -> {
                    tr.partitionResponses().add(p.join());
                    if (p.join().currentLeader().leaderId() >= 0) {
                        leaders.add(p.join().currentLeader().leaderId());
                    }
                });
                data.responses().add(tr);
            }
            // KIP-951: the leaders named above, so that the client moves without waiting for a metadata refresh.
            for (int id : leaders) {
                BrokerInfo b = leadership.view().broker(id);
                io.korvet.config.Endpoint e = b == null ? null : b.on(context.listenerName());
                if (e != null) {
                    data.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint()
                            .setNodeId(id).setHost(e.host()).setPort(e.port()).setRack(b.rack()));
                }
            }
            return data;
        });
    }

    /**
     * Appends one partition's batch. With acks=all on a topic whose min.insync.replicas is above one, as
     * Kafka does, it refuses the batch (NOT_ENOUGH_REPLICAS) when Redis has fewer replicas connected than that
     * needs, and after the append waits (bounded by the request's timeout) for that many replicas to hold
     * it, else answers NOT_ENOUGH_REPLICAS_AFTER_APPEND: the record is written, and a retry is recognised as
     * a duplicate and waits again.
     */
    /** The first batch of a partition's records, or null when there is none (or it cannot be read). */
    private static org.apache.kafka.common.record.internal.RecordBatch firstBatch(PartitionProduceData pd) {
        try {
            if (!(pd.records() instanceof org.apache.kafka.common.record.internal.MemoryRecords m)) {
                return null;
            }
            org.apache.kafka.common.record.internal.RecordBatch first = m.firstBatch();
            // Read the producer fields now: a malformed batch throws here, not in the caller.
            return first != null && first.producerId() >= 0 && first.baseSequence() >= 0 ? first : null;
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private CompletableFuture<PartitionProduceResponse> append(Topic topic, PartitionProduceData pd, long now, RequestContext context,
                                                               int replicasNeeded, int timeoutMs, String transactionalId) {
        TopicPartition tp = new TopicPartition(topic.name(), pd.index());
        IncomingBatch batch;
        try {
            batch = BatchDecoder.decode(tp, pd.records(), topic, now);
        } catch (ApiException e) {
            log.warn("Rejected produce to {} from {}: {} ({})", tp, context.clientAddress(), Errors.forException(e), e.getMessage());
            traffic.produceFailed(Errors.forException(e));
            return done(error(pd.index(), e));
        }
        var log = logs.log(tp);
        if (batch.idempotent()) {
            logs.earlyRejections().applyTo(topic.id(), topic.name(), pd.index(), log::expectFirst);
        }
        var h = batch.header();
        // KIP-890: the first batch of a transaction in this partition is written only if the coordinator's state
        // says the partition was added to that producer's open transaction (from Redis, whichever broker coordinates).
        String txnId = transactionalId;
        java.util.function.Supplier<CompletionStage<AppendResult>> write = !h.transactional() ? () -> log.append(batch)
                : () -> log.appendTransactional(batch, () -> txnId == null
                        ? CompletableFuture.failedFuture(new org.apache.kafka.common.errors.InvalidTxnStateException(
                                "A transactional batch to " + tp + " came without a transactional id"))
                        : transactions.verify(txnId, h.producerId(), h.producerEpoch(), tp).thenApply(error -> {
                            if (error != Errors.NONE) {
                                throw error.exception("The transaction of '" + txnId + "' (producer " + h.producerId() + " epoch "
                                        + h.producerEpoch() + ") does not hold " + tp + ": " + error);
                            }
                            return null;
                        }));
        CompletionStage<AppendResult> appended;
        if (replicasNeeded <= 0) {
            appended = write.get();
        } else {
            appended = replicas.connectedReplicas(tp).thenCompose(connected -> {
                if (connected < replicasNeeded) {
                    throw new NotEnoughReplicasException("min.insync.replicas of " + topic.name() + " is " + (replicasNeeded + 1)
                            + " but Redis has " + connected + " replicas connected");
                }
                return write.get();
            }).thenCompose(result -> replicas.awaitReplicas(tp, replicasNeeded, timeoutMs).thenApply(v -> result));
        }
        int bytes = pd.records() == null ? 0 : pd.records().sizeInBytes();
        return appended.handle((AppendResult result, Throwable failure) -> {
            if (failure != null) {
                ApiException e = ErrorMapper.toApiException(failure);
                ProduceHandler.log.warn("Produce to {} answered {}: {}", tp, Errors.forException(e), e.getMessage());
                traffic.produceFailed(Errors.forException(e));
                return error(pd.index(), e);
            }
            if (!result.duplicate()) {
                traffic.produced(tp.topic(), batch.count(), bytes);
            }
            return new PartitionProduceResponse()
                    .setIndex(pd.index())
                    .setErrorCode(Errors.NONE.code())
                    .setBaseOffset(result.baseOffset())
                    .setLogAppendTimeMs(batch.logAppendTime())
                    .setLogStartOffset(result.logStartOffset());
        }).toCompletableFuture();
    }

    /** NOT_LEADER_OR_FOLLOWER, with the leader (KIP-951) from v10 on. */
    private PartitionProduceResponse notLeader(Topic topic, int partition, short version) {
        PartitionProduceResponse r = error(partition, Errors.NOT_LEADER_OR_FOLLOWER,
                "Broker " + leadership.view().self() + " does not lead " + topic.name() + "-" + partition);
        if (version >= 10) {
            r.currentLeader().setLeaderId(leadership.leaderOf(topic, partition)).setLeaderEpoch(leadership.epochOf(topic, partition));
        }
        return r;
    }

    private static PartitionProduceResponse error(int partition, ApiException e) {
        return error(partition, Errors.forException(e), e.getMessage());
    }

    private static PartitionProduceResponse error(int partition, Errors error, String message) {
        return new PartitionProduceResponse()
                .setIndex(partition)
                .setErrorCode(error.code())
                .setErrorMessage(message)
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
