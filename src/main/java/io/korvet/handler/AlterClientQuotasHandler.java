package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.quota.ClientQuotas;
import io.korvet.quota.QuotaEntity;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;

/**
 * AlterClientQuotas ({@code kafka-configs.sh --alter --entity-type users|clients --add-config producer_byte_rate=...}):
 * each entity's quotas set or removed in Redis, checked first as Kafka's controller checks them (INVALID_REQUEST with
 * its messages); every broker applies them. ALTER_CONFIGS on the cluster, as in Kafka.
 */
public final class AlterClientQuotasHandler implements ApiHandler<AlterClientQuotasRequest> {

    private final ClientQuotas quotas;

    public AlterClientQuotasHandler(ClientQuotas quotas) {
        this.quotas = quotas;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CLIENT_QUOTAS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, AlterClientQuotasRequest request) {
        if (!context.allowedOnCluster(AclOperation.ALTER_CONFIGS)) {
            return CompletableFuture.completedFuture(request.getErrorResponse(0, Errors.CLUSTER_AUTHORIZATION_FAILED.exception()).data());
        }
        AlterClientQuotasResponseData out = new AlterClientQuotasResponseData();
        Set<QuotaEntity> seen = new HashSet<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (EntryData entry : request.data().entries()) {
            AlterClientQuotasResponseData.EntryData result = new AlterClientQuotasResponseData.EntryData();
            entry.entity().forEach(e -> result.entity().add(new AlterClientQuotasResponseData.EntityData()
                    .setEntityType(e.entityType()).setEntityName(e.entityName())));
            out.entries().add(result);
            String refusal = null;
            Map<String, String> parts = new TreeMap<>();
            for (EntityData e : entry.entity()) {
                if (parts.containsKey(e.entityType())) {
                    refusal = "Invalid client quota entity, duplicate entity entry " + e.entityType();
                }
                parts.put(e.entityType(), e.entityName());
            }
            QuotaEntity entity = new QuotaEntity(parts);
            Map<String, Double> ops = new LinkedHashMap<>();
            for (OpData op : entry.ops()) {
                if (ops.containsKey(op.key())) {
                    refusal = "Duplicate quota key " + op.key() + " not updating quota for this entity " + entity;
                }
                ops.put(op.key(), op.remove() ? null : op.value());
            }
            if (refusal == null && !seen.add(entity)) {
                refusal = "Ignoring duplicate entity " + entity;
            }
            if (refusal == null) {
                refusal = ClientQuotas.refusal(entity, ops);
            }
            if (refusal != null) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(refusal);
                continue;
            }
            result.setErrorCode(Errors.NONE.code());
            if (!request.data().validateOnly()) {
                // One entity after another: each is a compare-and-set of its own field in Redis.
                chain = chain.thenCompose(v -> quotas.alter(entity, ops).handle((done, failure) -> {
                    if (failure != null) {
                        Throwable cause = io.korvet.Failures.cause(failure);
                        result.setErrorCode(ErrorMapper.toError(cause, ApiKeys.ALTER_CLIENT_QUOTAS).code())
                                .setErrorMessage(cause.getMessage());
                    }
                    return null;
                }));
            }
        }
        return chain.thenApply(v -> out);
    }
}
