package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.storage.TopicStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId. For idempotent producers, as Kafka does without a transactional id, every call gets a fresh
 * producer id (from a counter in Redis, unique across brokers and restarts) at epoch 0. With a transactional id,
 * the transaction coordinator answers (a new producer id, or the same at the next epoch, fencing the previous
 * producer of that id).
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {

    private static final Logger log = LoggerFactory.getLogger(InitProducerIdHandler.class);

    private final TopicStore store;
    private final io.korvet.txn.TransactionCoordinator transactions;

    public InitProducerIdHandler(TopicStore store, io.korvet.txn.TransactionCoordinator transactions) {
        this.store = store;
        this.transactions = transactions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, InitProducerIdRequest request) {
        // KIP-679: an idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
        if (request.data().transactionalId() == null && !context.permitsOnCluster(AclOperation.IDEMPOTENT_WRITE) && !context.allowedOnAny(AclOperation.WRITE, ResourceType.TOPIC)) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()).setProducerId(-1).setProducerEpoch((short) -1));
        }
        String id = request.data().transactionalId();
        if (id != null) {
            if (!context.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id)) {
                return CompletableFuture.completedFuture(refused(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
            }
            if (context.apiVersion() >= 6 && request.data().enable2Pc()) {
                log.warn("Refusing InitProducerId with two-phase commit (KIP-939) for '{}' from {}: not supported",
                        id, context.clientAddress());
                return CompletableFuture.completedFuture(refused(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
            }
            short version = context.apiVersion();
            return transactions.initProducerId(id, request.data().transactionTimeoutMs(),
                    version >= 3 ? request.data().producerId() : -1, version >= 3 ? request.data().producerEpoch() : -1)
                    .thenApply(r -> new InitProducerIdResponseData()
                            .setErrorCode(TxnErrors.forVersion(r.error(), version, 4).code())
                            .setProducerId(r.producerId())
                            .setProducerEpoch(r.producerEpoch()));
        }
        return store.nextProducerId().thenApply(pid -> new InitProducerIdResponseData()
                .setErrorCode(Errors.NONE.code())
                .setProducerId(pid)
                .setProducerEpoch((short) 0));
    }

    private static InitProducerIdResponseData refused(Errors error) {
        return new InitProducerIdResponseData().setErrorCode(error.code()).setProducerId(-1).setProducerEpoch((short) -1);
    }
}
