package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.TopicConfigs;
import io.korvet.topic.TopicManager;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs: SET, DELETE, and for list configs APPEND and SUBTRACT, applied to each resource
 * as one change that is validated whole (a failing key changes nothing). Topic configs are validated
 * (INVALID_CONFIG); broker resources accept only the keys Korvet changes at runtime.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {

    private final TopicManager topics;
    /** The groups' configs (GROUP resources), or null where the broker has none. */
    private final io.korvet.group.GroupConfigs groupConfigs;

    public IncrementalAlterConfigsHandler(TopicManager topics) {
        this(topics, null);
    }

    public IncrementalAlterConfigsHandler(TopicManager topics, io.korvet.group.GroupConfigs groupConfigs) {
        this.topics = topics;
        this.groupConfigs = groupConfigs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, IncrementalAlterConfigsRequest request) {
        return ConfigResources.alterEach(request.data().resources(), r -> r.resourceType() + ":" + r.resourceName(),
                r -> alter(context, r, request.data().validateOnly()), IncrementalAlterConfigsHandler::response)
                .thenApply(responses -> {
                    IncrementalAlterConfigsResponseData data = new IncrementalAlterConfigsResponseData();
                    responses.forEach(data.responses()::add);
                    return data;
                });
    }

    private CompletionStage<Void> alter(RequestContext context, AlterConfigsResource r, boolean validateOnly) {
        Set<String> names = new HashSet<>();
        for (AlterableConfig c : r.configs()) {
            if (!names.add(c.name())) {
                return CompletableFuture.failedFuture(new InvalidRequestException("Error due to duplicate config keys"));
            }
            OpType op = OpType.forId(c.configOperation());
            if (op == null) {
                return CompletableFuture.failedFuture(new InvalidRequestException("Unknown alter config operation " + c.configOperation()));
            }
            if (op != OpType.DELETE && c.value() == null) {
                return CompletableFuture.failedFuture(new InvalidRequestException("Null value not supported for : " + c.name()));
            }
        }
        if (r.resourceType() == ConfigResource.Type.BROKER_LOGGER.id()) {
            try {
                ConfigResources.checkAccess(context, org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS,
                        ConfigResource.Type.BROKER_LOGGER, r.resourceName());
                BrokerLoggers.alter(topics.brokerConfigs().nodeResource(), r.resourceName(), r.configs(), validateOnly);
                return CompletableFuture.completedFuture(null);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (r.resourceType() == ConfigResource.Type.GROUP.id() && groupConfigs != null) {
            try {
                ConfigResources.checkAccess(context, org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS, ConfigResource.Type.GROUP,
                        r.resourceName());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            return groupConfigs.alter(r.resourceName(), operations(r, false), validateOnly);
        }
        boolean topic = r.resourceType() == ConfigResource.Type.TOPIC.id();
        return ConfigResources.alter(context, topics, r.resourceType(), r.resourceName(), operations(r, topic), validateOnly);
    }

    /** The resource's operations as a change of the configs set on it. */
    private UnaryOperator<Map<String, String>> operations(AlterConfigsResource r, boolean topic) {
        return current -> {
            Map<String, String> next = new HashMap<>(current);
            for (AlterableConfig c : r.configs()) {
                OpType op = OpType.forId(c.configOperation());
                String name = c.name();
                switch (op) {
                    case SET -> next.put(name, c.value());
                    case DELETE -> next.remove(name);
                    case APPEND, SUBTRACT -> {
                        if (!topic) {
                            throw new InvalidConfigurationException("Config value " + op.name().toLowerCase(java.util.Locale.ROOT)
                                    + " is not allowed for config key: " + name);
                        }
                        if (!TopicConfigs.isList(name)) {
                            throw new InvalidConfigurationException("Can't " + op + " to key " + name + " because its type is not LIST.");
                        }
                        String base = next.containsKey(name) ? next.get(name)
                                : TopicConfigs.effective(Map.of(), name, topics.brokerConfigs());
                        List<String> items = TopicConfigs.items(base);
                        for (String item : TopicConfigs.items(c.value())) {
                            if (op == OpType.SUBTRACT) {
                                items.remove(item);
                            } else if (!items.contains(item)) {
                                items.add(item);
                            }
                        }
                        next.put(name, String.join(",", items));
                    }
                }
            }
            return next;
        };
    }

    private static AlterConfigsResourceResponse response(AlterConfigsResource r, ApiException error) {
        return new AlterConfigsResourceResponse()
                .setResourceType(r.resourceType())
                .setResourceName(r.resourceName())
                .setErrorCode(error == null ? Errors.NONE.code() : Errors.forException(error).code())
                .setErrorMessage(ErrorMapper.message(error));
    }
}
