package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import io.korvet.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * AddPartitionsToTxn: a producer adds partitions to its transaction (v0-3, one transaction), or a broker asks for
 * several transactions at once, maybe only to verify that the partitions are in them (v4+, KIP-890). Partitions of
 * unknown topics get UNKNOWN_TOPIC_OR_PARTITION and, as in Kafka, the others OPERATION_NOT_ATTEMPTED.
 */
public final class AddPartitionsToTxnHandler implements ApiHandler<AddPartitionsToTxnRequest> {

    private final TransactionCoordinator coordinator;
    private final TopicManager topics;

    public AddPartitionsToTxnHandler(TransactionCoordinator coordinator, TopicManager topics) {
        this.coordinator = coordinator;
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_PARTITIONS_TO_TXN;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, AddPartitionsToTxnRequest request) {
        short version = context.apiVersion();
        if (version <= 3) {
            var d = request.data();
            return one(context, d.v3AndBelowTransactionalId(), d.v3AndBelowProducerId(), d.v3AndBelowProducerEpoch(), false,
                    d.v3AndBelowTopics()).thenApply(results -> new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(results));
        }
        if (!context.permitsOnCluster(AclOperation.CLUSTER_ACTION)) {
            return CompletableFuture.completedFuture(new AddPartitionsToTxnResponseData()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        }
        List<AddPartitionsToTxnTransaction> txns = new ArrayList<>(request.data().transactions());
        List<CompletableFuture<AddPartitionsToTxnTopicResultCollection>> pending = new ArrayList<>();
        for (AddPartitionsToTxnTransaction t : txns) {
            pending.add(one(context, t.transactionalId(), t.producerId(), t.producerEpoch(), t.verifyOnly(), t.topics())
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).thenApply(v -> {
            AddPartitionsToTxnResponseData out = new AddPartitionsToTxnResponseData();
            for (int i = 0; i < txns.size(); i++) {
                out.resultsByTransaction().add(new AddPartitionsToTxnResult().setTransactionalId(txns.get(i).transactionalId())
                        .setTopicResults(pending.get(i).join()));
            }
            return out;
        });
    }

    private CompletionStage<AddPartitionsToTxnTopicResultCollection> one(RequestContext context, String id, long pid, short epoch,
                                                                       boolean verifyOnly, AddPartitionsToTxnTopicCollection wanted) {
        short version = context.apiVersion();
        Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        Set<TopicPartition> valid = new LinkedHashSet<>();
        boolean txnAllowed = context.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id);
        for (AddPartitionsToTxnTopic t : wanted) {
            Topic topic = topics.get(t.name());
            boolean allowed = context.allowed(AclOperation.WRITE, ResourceType.TOPIC, t.name());
            for (int p : t.partitions()) {
                TopicPartition tp = new TopicPartition(t.name(), p);
                if (!txnAllowed) {
                    errors.put(tp, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
                } else if (!allowed) {
                    errors.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
                } else if (topic == null || !topic.hasPartition(p)) {
                    errors.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    valid.add(tp);
                }
            }
        }
        if (!errors.isEmpty()) {
            for (TopicPartition tp : valid) {
                errors.put(tp, Errors.OPERATION_NOT_ATTEMPTED);
            }
            return CompletableFuture.completedFuture(results(errors));
        }
        if (verifyOnly) {
            List<CompletableFuture<Errors>> checks = new ArrayList<>();
            List<TopicPartition> order = new ArrayList<>(valid);
            for (TopicPartition tp : order) {
                checks.add(coordinator.verify(id, pid, epoch, tp).toCompletableFuture());
            }
            return CompletableFuture.allOf(checks.toArray(new CompletableFuture[0])).thenApply(v -> {
                for (int i = 0; i < order.size(); i++) {
                    errors.put(order.get(i), checks.get(i).join());
                }
                return results(errors);
            });
        }
        return coordinator.add(id, pid, epoch, valid, Set.of()).thenApply(error -> {
            Errors e = TxnErrors.forVersion(error, version, 2);
            for (TopicPartition tp : valid) {
                errors.put(tp, e);
            }
            return results(errors);
        });
    }

    private static AddPartitionsToTxnTopicResultCollection results(Map<TopicPartition, Errors> errors) {
        AddPartitionsToTxnTopicResultCollection out = new AddPartitionsToTxnTopicResultCollection();
        errors.forEach((tp, error) -> {
            AddPartitionsToTxnTopicResult topic = out.find(tp.topic());
            if (topic == null) {
                topic = new AddPartitionsToTxnTopicResult().setName(tp.topic());
                out.add(topic);
            }
            topic.resultsByPartition().add(new AddPartitionsToTxnPartitionResult().setPartitionIndex(tp.partition())
                    .setPartitionErrorCode(error.code()));
        });
        return out;
    }
}
