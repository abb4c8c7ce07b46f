package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import io.korvet.storage.GroupStore.CommittedOffset;
import io.korvet.storage.TransactionStore;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import io.korvet.txn.TransactionCoordinator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * TxnOffsetCommit, at the group's coordinator: offsets a transaction commits, held apart until the transaction ends
 * (then the group's, or dropped). The producer's transaction must hold the group (AddOffsetsToTxn) at its current
 * epoch, so a fenced zombie commits nothing; from v3 the member and generation are checked as for OffsetCommit
 * (KIP-447). Up to v4: v5 belongs to transactions of KIP-890 part 2, which Korvet does not advertise.
 */
public final class TxnOffsetCommitHandler implements ApiHandler<TxnOffsetCommitRequest> {

    private final GroupCoordinator groups;
    private final TransactionCoordinator transactions;
    private final TransactionStore store;
    private final TopicManager topics;

    public TxnOffsetCommitHandler(GroupCoordinator groups, TransactionCoordinator transactions, TransactionStore store,
                                  TopicManager topics) {
        this.groups = groups;
        this.transactions = transactions;
        this.store = store;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.TXN_OFFSET_COMMIT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, TxnOffsetCommitRequest request) {
        TxnOffsetCommitRequestData d = request.data();
        TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        Map<TxnOffsetCommitResponsePartition, TopicPartition> toCommit = new LinkedHashMap<>();
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        Errors all = Errors.NONE;
        if (!context.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, d.transactionalId())) {
            all = Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        } else if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId())) {
            all = Errors.GROUP_AUTHORIZATION_FAILED;
        } else {
            all = groups.validateCommit(d.groupId(), d.memberId(), d.groupInstanceId(), d.generationId());
        }
        long now = System.currentTimeMillis();
        int maxMetadata = groups.settings().offsetMetadataMaxBytes();
        for (TxnOffsetCommitRequestTopic t : d.topics()) {
            TxnOffsetCommitResponseTopic rt = new TxnOffsetCommitResponseTopic().setName(t.name());
            response.topics().add(rt);
            Topic topic = topics.get(t.name());
            boolean authorized = context.allowed(AclOperation.READ, ResourceType.TOPIC, t.name());
            for (TxnOffsetCommitRequestPartition p : t.partitions()) {
                TxnOffsetCommitResponsePartition rp = new TxnOffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                if (all != Errors.NONE) {
                    rp.setErrorCode(all.code());
                } else if (!authorized) {
                    rp.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                } else if (topic == null || !topic.hasPartition(p.partitionIndex())) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (OffsetCommitHandler.metadataTooLarge(p.committedMetadata(), maxMetadata)) {
                    rp.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                } else {
                    TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                    offsets.put(tp, OffsetCommitHandler.committed(p.committedOffset(), p.committedLeaderEpoch(),
                            p.committedMetadata(), now));
                    toCommit.put(rp, tp);
                }
            }
        }
        if (toCommit.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        short version = context.apiVersion();
        return transactions.verifyGroup(d.transactionalId(), d.producerId(), d.producerEpoch(), d.groupId())
                .thenCompose(error -> error != Errors.NONE ? CompletableFuture.completedFuture(error)
                        : store.stageOffsets(d.groupId(), d.producerId(), offsets).thenApply(v -> Errors.NONE))
                .handle((error, failure) -> {
                    Errors code = failure != null ? ErrorMapper.toError(failure, ApiKeys.TXN_OFFSET_COMMIT)
                            : TxnErrors.forVersion(error, version, 2);
                    toCommit.keySet().forEach(rp -> rp.setErrorCode(code.code()));
                    return response;
                });
    }
}
