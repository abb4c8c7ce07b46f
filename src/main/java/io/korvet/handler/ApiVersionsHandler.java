package io.korvet.handler;

import io.korvet.cluster.ClusterFeatures;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.HandlerRegistry;
import io.korvet.dispatch.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * ApiVersions: the ranges of every registered handler, so nothing unhandled is advertised, and the cluster's
 * features: those this broker supports and the levels finalized (what {@code kafka-features.sh describe} shows).
 */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {

    private final HandlerRegistry registry;
    private final ClusterFeatures features;

    public ApiVersionsHandler(HandlerRegistry registry, ClusterFeatures features) {
        this.registry = registry;
        this.features = features;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, ApiVersionsRequest request) {
        ApiVersionsResponseData data = new ApiVersionsResponseData()
                .setErrorCode(request.isValid() ? Errors.NONE.code() : Errors.INVALID_REQUEST.code())
                .setApiKeys(registry.apiVersions());
        ClusterFeatures.Finalized finalized = features.finalized();
        // Before v4 a feature whose lowest level is 0 is left out: older clients cannot read it (KAFKA-17492).
        if (context.apiVersion() >= 4) {
            features.supportedMax().forEach((name, max) -> data.supportedFeatures().add(new SupportedFeatureKey()
                    .setName(name).setMinVersion((short) 0).setMaxVersion(max)));
        }
        finalized.levels().forEach((name, level) -> data.finalizedFeatures().add(new FinalizedFeatureKey()
                .setName(name).setMinVersionLevel(level).setMaxVersionLevel(level)));
        data.setFinalizedFeaturesEpoch(finalized.epoch());
        return CompletableFuture.completedFuture(data);
    }
}
