package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.txn.TransactionCoordinator;
import io.korvet.txn.TransactionState;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.resource.ResourceType;

/** DescribeTransactions ({@code kafka-transactions.sh describe}): the state of transactional ids this broker coordinates. */
public final class DescribeTransactionsHandler implements ApiHandler<DescribeTransactionsRequest> {

    private final TransactionCoordinator coordinator;

    public DescribeTransactionsHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TRANSACTIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeTransactionsRequest request) {
        return coordinator.states().thenApply(states -> {
            DescribeTransactionsResponseData out = new DescribeTransactionsResponseData();
            for (String id : request.data().transactionalIds()) {
                var ts = new DescribeTransactionsResponseData.TransactionState().setTransactionalId(id);
                out.transactionStates().add(ts);
                TransactionState s = states.get(id);
                if (!context.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) {
                    ts.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
                } else if (!coordinator.coordinates(id)) {
                    ts.setErrorCode(Errors.NOT_COORDINATOR.code());
                } else if (s == null) {
                    ts.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
                } else {
                    ts.setErrorCode(Errors.NONE.code()).setTransactionState(s.status().kafkaName())
                            .setTransactionTimeoutMs(s.timeoutMs()).setTransactionStartTimeMs(s.startedMs())
                            .setProducerId(s.producerId()).setProducerEpoch(s.producerEpoch());
                    for (TopicPartition tp : s.partitions()) {
                        if (!context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, tp.topic())) {
                            continue;
                        }
                        TopicData topic = ts.topics().find(tp.topic());
                        if (topic == null) {
                            topic = new TopicData().setTopic(tp.topic());
                            ts.topics().add(topic);
                        }
                        topic.partitions().add(tp.partition());
                    }
                }
            }
            return (ApiMessage) out;
        });
    }
}
