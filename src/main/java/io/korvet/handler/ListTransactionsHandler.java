package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.txn.TransactionCoordinator;
import io.korvet.txn.TransactionState;
import io.korvet.txn.TxnStatus;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListTransactions ({@code kafka-transactions.sh list}): the transactional ids this broker coordinates, filtered by
 * state, producer id, duration (v1) and id pattern (v2), as Kafka filters them; unknown state names are reported.
 */
public final class ListTransactionsHandler implements ApiHandler<ListTransactionsRequest> {

    private final TransactionCoordinator coordinator;

    public ListTransactionsHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_TRANSACTIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ListTransactionsRequest request) {
        var d = request.data();
        ListTransactionsResponseData out = new ListTransactionsResponseData().setErrorCode(Errors.NONE.code());
        Set<String> states = new HashSet<>();
        for (String name : d.stateFilters()) {
            boolean known = false;
            for (TxnStatus s : TxnStatus.values()) {
                known |= s.kafkaName().equals(name);
            }
            if (known) {
                states.add(name);
            } else {
                out.unknownStateFilters().add(name);
            }
        }
        Set<Long> producers = new HashSet<>(d.producerIdFilters());
        long minDuration = context.apiVersion() >= 1 ? d.durationFilter() : -1;
        Pattern pattern = null;
        if (context.apiVersion() >= 2 && d.transactionalIdPattern() != null && !d.transactionalIdPattern().isEmpty()) {
            try {
                pattern = Pattern.compile(d.transactionalIdPattern());
            } catch (RuntimeException e) {
                return java.util.concurrent.CompletableFuture.completedFuture(out.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
            }
        }
        Pattern idPattern = pattern;
        boolean anyState = d.stateFilters().isEmpty();
        return coordinator.states().thenApply(all -> {
            long now = System.currentTimeMillis();
            all.forEach((id, s) -> {
                if (!coordinator.coordinates(id) || !context.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) {
                    return;
                }
                if ((!anyState && !states.contains(s.status().kafkaName()))
                        || (!producers.isEmpty() && !producers.contains(s.producerId()))
                        || (minDuration >= 0 && (s.startedMs() < 0 || now - s.startedMs() < minDuration))
                        || (idPattern != null && !idPattern.matcher(id).matches())) {
                    return;
                }
                out.transactionStates().add(new ListTransactionsResponseData.TransactionState().setTransactionalId(id)
                        .setProducerId(s.producerId()).setTransactionState(s.status().kafkaName()));
            });
            return out;
        });
    }
}
