package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.HandlerRegistry;
import io.korvet.dispatch.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/** ApiVersions: the ranges of every registered handler, so nothing unhandled is advertised. */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {

    private final HandlerRegistry registry;

    public ApiVersionsHandler(HandlerRegistry registry) {
        this.registry = registry;
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
                .setApiKeys(registry.apiVersions())
                .setFinalizedFeaturesEpoch(-1);
        return CompletableFuture.completedFuture(data);
    }
}
