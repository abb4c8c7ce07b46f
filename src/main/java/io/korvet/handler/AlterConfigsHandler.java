package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.TopicManager;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;

/**
 * AlterConfigs (the legacy, non-incremental API): each resource's configs are replaced by the ones given,
 * those not given return to their defaults. Topic configs are validated (INVALID_CONFIG); broker resources
 * accept only the keys Korvet changes at runtime.
 */
public final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequest> {

    private final TopicManager topics;

    public AlterConfigsHandler(TopicManager topics) {
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, AlterConfigsRequest request) {
        return ConfigResources.alterEach(request.data().resources(), r -> r.resourceType() + ":" + r.resourceName(),
                r -> alter(context, r, request.data().validateOnly()), AlterConfigsHandler::response)
                .thenApply(responses -> {
                    AlterConfigsResponseData data = new AlterConfigsResponseData();
                    responses.forEach(data.responses()::add);
                    return data;
                });
    }

    private CompletionStage<Void> alter(RequestContext context, AlterConfigsResource r, boolean validateOnly) {
        Map<String, String> configs = new HashMap<>();
        Set<String> nulls = new TreeSet<>();
        for (AlterableConfig c : r.configs()) {
            if (c.value() == null) {
                nulls.add(c.name());
            }
            configs.put(c.name(), c.value());
        }
        if (!nulls.isEmpty()) {
            return CompletableFuture.failedFuture(new InvalidRequestException("Null value not supported for : " + String.join(",", nulls)));
        }
        return ConfigResources.alter(context, topics, r.resourceType(), r.resourceName(), current -> configs, validateOnly);
    }

    private static AlterConfigsResourceResponse response(AlterConfigsResource r, ApiException error) {
        return new AlterConfigsResourceResponse()
                .setResourceType(r.resourceType())
                .setResourceName(r.resourceName())
                .setErrorCode(error == null ? Errors.NONE.code() : Errors.forException(error).code())
                .setErrorMessage(ErrorMapper.message(error));
    }
}
