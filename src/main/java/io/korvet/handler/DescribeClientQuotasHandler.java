package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.quota.ClientQuotas;
import io.korvet.quota.QuotaEntity;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntityData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntryData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.ValueData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;

/**
 * DescribeClientQuotas ({@code kafka-configs.sh --describe --entity-type users|clients}): the entities with quotas that
 * match the filter, as Kafka's metadata image matches them (an exact name or the default per entity type, or any
 * entity having the type; {@code strict}: no other type either), with Kafka's refusals of a bad filter.
 * DESCRIBE_CONFIGS on the cluster.
 */
public final class DescribeClientQuotasHandler implements ApiHandler<DescribeClientQuotasRequest> {

    private final ClientQuotas quotas;

    public DescribeClientQuotasHandler(ClientQuotas quotas) {
        this.quotas = quotas;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeClientQuotasRequest request) {
        if (!context.allowedOnCluster(AclOperation.DESCRIBE_CONFIGS)) {
            return failed(Errors.CLUSTER_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED.message());
        }
        DescribeClientQuotasRequestData data = request.data();
        Map<String, String> exact = new HashMap<>();
        Set<String> anyName = new HashSet<>();
        for (ComponentData c : data.components()) {
            String type = c.entityType();
            if (type.isEmpty()) {
                return failed(Errors.INVALID_REQUEST, "Invalid empty entity type.");
            }
            if (exact.containsKey(type) || anyName.contains(type)) {
                return failed(Errors.INVALID_REQUEST, "Entity type " + type + " cannot appear more than once in the filter.");
            }
            if (!QuotaEntity.TYPES.contains(type)) {
                return failed(Errors.UNSUPPORTED_VERSION, "Unsupported entity type " + type);
            }
            switch (c.matchType()) {
                case DescribeClientQuotasRequest.MATCH_TYPE_EXACT -> {
                    if (c.match() == null) {
                        return failed(Errors.INVALID_REQUEST, "Request specified MATCH_TYPE_EXACT, but set match string to null.");
                    }
                    exact.put(type, c.match());
                }
                case DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT -> {
                    if (c.match() != null) {
                        return failed(Errors.INVALID_REQUEST, "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
                    }
                    exact.put(type, null);
                }
                case DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED -> {
                    if (c.match() != null) {
                        return failed(Errors.INVALID_REQUEST, "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
                    }
                    anyName.add(type);
                }
                default -> {
                    return failed(Errors.INVALID_REQUEST, "Unknown match type " + c.matchType());
                }
            }
        }
        boolean ip = exact.containsKey(QuotaEntity.IP) || anyName.contains(QuotaEntity.IP);
        if (ip && (exact.size() + anyName.size() > 1)) {
            return failed(Errors.INVALID_REQUEST, "Invalid entity filter component combination. IP filter component should not"
                    + " be used with user or clientId filter component.");
        }
        DescribeClientQuotasResponseData out = new DescribeClientQuotasResponseData().setErrorCode(Errors.NONE.code());
        quotas.all().forEach((entity, values) -> {
            if (matches(entity, exact, anyName, data.strict())) {
                EntryData entry = new EntryData();
                entity.parts().forEach((type, name) -> entry.entity().add(new EntityData().setEntityType(type).setEntityName(name)));
                values.forEach((key, value) -> entry.values().add(new ValueData().setKey(key).setValue(value)));
                out.entries().add(entry);
            }
        });
        return CompletableFuture.completedFuture(out);
    }

    private static boolean matches(QuotaEntity entity, Map<String, String> exact, Set<String> anyName, boolean strict) {
        Map<String, String> parts = entity.parts();
        if (strict && parts.size() != exact.size() + anyName.size()) {
            return false;
        }
        for (Map.Entry<String, String> e : exact.entrySet()) {
            if (!parts.containsKey(e.getKey()) || !Objects.equals(parts.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return parts.keySet().containsAll(anyName);
    }

    private static CompletionStage<ApiMessage> failed(Errors error, String message) {
        return CompletableFuture.completedFuture(new DescribeClientQuotasResponseData().setErrorCode(error.code())
                .setErrorMessage(message).setEntries(null));
    }
}
