package io.korvet.handler;

import io.korvet.cluster.ClusterFeatures;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * An API that a cluster feature turns on: while the feature's finalized level is 0, every request is answered
 * UNSUPPORTED_VERSION, as Kafka answers the consumer-group APIs when {@code group.version} is 0 and the share-group
 * APIs when {@code share.version} is 0. The API stays advertised, as in Kafka.
 */
public final class FeatureGated<R extends AbstractRequest> implements ApiHandler<R> {

    private final ApiHandler<R> handler;
    private final ClusterFeatures features;
    private final String feature;
    private final String what;

    private FeatureGated(ApiHandler<R> handler, ClusterFeatures features, String feature, String what) {
        this.handler = handler;
        this.features = features;
        this.feature = feature;
        this.what = what;
    }

    /** {@code handler}, answering only while {@code feature} is finalized at 1 or more; {@code what} names what it enables. */
    public static <R extends AbstractRequest> ApiHandler<R> gate(ApiHandler<R> handler, ClusterFeatures features, String feature,
                                                                String what) {
        return new FeatureGated<>(handler, features, feature, what);
    }

    @Override
    public ApiKeys apiKey() {
        return handler.apiKey();
    }

    @Override
    public short minVersion() {
        return handler.minVersion();
    }

    @Override
    public short maxVersion() {
        return handler.maxVersion();
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, R request) {
        if (features.level(feature) < 1) {
            return CompletableFuture.failedFuture(new UnsupportedVersionException(what + " are disabled: the cluster's " + feature
                    + " is 0 (kafka-features.sh upgrade --feature " + feature + "=1 enables them)"));
        }
        return handler.handle(context, request);
    }
}
