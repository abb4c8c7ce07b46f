package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.txn.TransactionCoordinator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.resource.ResourceType;

/** AddOffsetsToTxn: the producer's transaction will commit offsets of this group (sendOffsetsToTransaction). */
public final class AddOffsetsToTxnHandler implements ApiHandler<AddOffsetsToTxnRequest> {

    private final TransactionCoordinator coordinator;

    public AddOffsetsToTxnHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, AddOffsetsToTxnRequest request) {
        var d = request.data();
        if (!context.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, d.transactionalId())) {
            return CompletableFuture.completedFuture(answer(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.completedFuture(answer(Errors.GROUP_AUTHORIZATION_FAILED));
        }
        short version = context.apiVersion();
        return coordinator.add(d.transactionalId(), d.producerId(), d.producerEpoch(), Set.of(), Set.of(d.groupId()))
                .thenApply(error -> answer(TxnErrors.forVersion(error, version, 2)));
    }

    private static ApiMessage answer(Errors error) {
        return new AddOffsetsToTxnResponseData().setErrorCode(error.code());
    }
}
