package io.korvet.handler;

import io.korvet.Failures;
import io.korvet.cluster.ClusterFeatures;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.message.UpdateFeaturesResponseData.UpdatableFeatureResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.UpdateFeaturesRequest;

/**
 * UpdateFeatures ({@code kafka-features.sh upgrade|downgrade|disable}): changes the cluster's finalized feature
 * levels, all of the request's or none, with Kafka's checks and messages (INVALID_UPDATE_VERSION); ALTER on the
 * cluster. From version 2 a success carries no per-feature results, as Kafka's controller answers.
 */
public final class UpdateFeaturesHandler implements ApiHandler<UpdateFeaturesRequest> {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UpdateFeaturesHandler.class);

    private final ClusterFeatures features;

    public UpdateFeaturesHandler(ClusterFeatures features) {
        this.features = features;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.UPDATE_FEATURES;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, UpdateFeaturesRequest request) {
        if (!context.allowedOnCluster(AclOperation.ALTER)) {
            return CompletableFuture.failedFuture(new ClusterAuthorizationException("Authorization failed."));
        }
        Map<String, ClusterFeatures.Update> updates = new LinkedHashMap<>();
        for (UpdateFeaturesRequest.FeatureUpdateItem item : request.featureUpdates()) {
            updates.put(item.feature(), new ClusterFeatures.Update(item.versionLevel(), item.upgradeType()));
        }
        String refusal = features.refusal(updates);
        if (refusal != null || request.data().validateOnly()) {
            return CompletableFuture.completedFuture(answer(context, request, refusal));
        }
        return features.update(updates).handle((done, error) -> {
            if (error == null) {
                return answer(context, request, null);
            }
            Throwable cause = Failures.cause(error);
            if (cause instanceof IllegalArgumentException) {
                return answer(context, request, cause.getMessage());
            }
            throw new java.util.concurrent.CompletionException(cause);
        });
    }

    private static ApiMessage answer(RequestContext context, UpdateFeaturesRequest request, String refusal) {
        UpdateFeaturesResponseData data = new UpdateFeaturesResponseData();
        if (refusal != null) {
            log.warn("UpdateFeatures from {} refused: {}", context.clientAddress(), refusal);
            return data.setErrorCode(Errors.INVALID_UPDATE_VERSION.code())
                    .setErrorMessage("The update failed for all features since the following feature had an error: " + refusal);
        }
        data.setErrorCode(Errors.NONE.code());
        if (context.apiVersion() <= 1) {
            request.data().featureUpdates().forEach(u -> data.results().add(new UpdatableFeatureResult()
                    .setFeature(u.feature()).setErrorCode(Errors.NONE.code())));
        }
        return data;
    }
}
