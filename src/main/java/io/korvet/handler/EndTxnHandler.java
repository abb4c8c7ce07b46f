package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.txn.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * EndTxn: commits or aborts the producer's transaction, answered when the markers are in every partition and the
 * offsets in every group (Kafka answers once the decision is logged; the producer waits the same either way, as its
 * next transaction could not begin sooner). Up to v4: v5 bumps the epoch on every transaction (KIP-890 part 2),
 * which Korvet does not advertise.
 */
public final class EndTxnHandler implements ApiHandler<EndTxnRequest> {

    private final TransactionCoordinator coordinator;

    public EndTxnHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.END_TXN;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, EndTxnRequest request) {
        var d = request.data();
        if (!context.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, d.transactionalId())) {
            return CompletableFuture.completedFuture(new EndTxnResponseData().setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        }
        short version = context.apiVersion();
        return coordinator.end(d.transactionalId(), d.producerId(), d.producerEpoch(), d.committed())
                .thenApply(error -> new EndTxnResponseData().setErrorCode(TxnErrors.forVersion(error, version, 2).code()));
    }
}
