package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;

/**
 * DescribeClientQuotas, which {@code kafka-configs.sh --describe --entity-type users} asks beside the SCRAM
 * credentials. Korvet has no client quotas (AlterClientQuotas is not offered, so none can be set): every valid
 * filter matches no entity. A filter on an entity type Kafka does not know is INVALID_REQUEST, as Kafka answers.
 */
public final class DescribeClientQuotasHandler implements ApiHandler<DescribeClientQuotasRequest> {

    private static final Set<String> ENTITY_TYPES = Set.of("user", "client-id", "ip");

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
        DescribeClientQuotasResponseData data = new DescribeClientQuotasResponseData();
        if (!context.allowedOnCluster(AclOperation.DESCRIBE_CONFIGS)) {
            return CompletableFuture.completedFuture(data.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message()).setEntries(null));
        }
        for (ComponentData c : request.data().components()) {
            if (!ENTITY_TYPES.contains(c.entityType())) {
                return CompletableFuture.completedFuture(data.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Custom entity type '" + c.entityType() + "' not supported").setEntries(null));
            }
        }
        return CompletableFuture.completedFuture(data.setErrorCode(Errors.NONE.code()));
    }
}
