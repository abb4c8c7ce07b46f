package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.ConfigView;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicConfigViews;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;

/**
 * DescribeConfigs for topics and brokers, as Kafka reports them: every config with the value in force,
 * its source (topic, dynamic broker, dynamic default, static broker, default) and, when asked, its synonyms
 * in order of precedence; a broker's loggers and their levels ({@link BrokerLoggers}); groups' configs. Each
 * resource is answered on its own.
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {

    private final TopicManager topics;
    /** The groups' configs (GROUP resources), or null where the broker has none. */
    private final io.korvet.group.GroupConfigs groupConfigs;

    public DescribeConfigsHandler(TopicManager topics) {
        this(topics, null);
    }

    public DescribeConfigsHandler(TopicManager topics, io.korvet.group.GroupConfigs groupConfigs) {
        this.topics = topics;
        this.groupConfigs = groupConfigs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeConfigsRequest request) {
        DescribeConfigsResponseData data = new DescribeConfigsResponseData();
        boolean synonyms = request.data().includeSynonyms();
        List<CompletableFuture<Void>> groups = new ArrayList<>();
        for (DescribeConfigsResource resource : request.data().resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            if (resource.resourceType() == ConfigResource.Type.GROUP.id() && groupConfigs != null) {
                data.results().add(result);
                groups.add(GroupConfigViews.describe(context, groupConfigs, resource, result).toCompletableFuture());
                continue;
            }
            try {
                ConfigResources.checkAccess(context, org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS,
                        ConfigResource.Type.forId(resource.resourceType()), resource.resourceName());
                if (resource.resourceType() == ConfigResource.Type.BROKER_LOGGER.id()) {
                    result.setErrorCode(Errors.NONE.code()).setConfigs(BrokerLoggers.describe(topics.brokerConfigs().nodeResource(),
                            resource.resourceName(), resource.configurationKeys()));
                    data.results().add(result);
                    continue;
                }
                List<ConfigView> views = describe(resource, synonyms);
                if (views == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    result.setErrorCode(Errors.NONE.code()).setConfigs(toResults(views));
                }
            } catch (RuntimeException e) {
                var error = ErrorMapper.toApiException(e);
                result.setErrorCode(Errors.forException(error).code()).setErrorMessage(ErrorMapper.message(error));
            }
            data.results().add(result);
        }
        return CompletableFuture.allOf(groups.toArray(new CompletableFuture[0])).thenApply(v -> data);
    }

    /** The resource's configs, or null for a topic that does not exist. */
    private List<ConfigView> describe(DescribeConfigsResource resource, boolean synonyms) {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        String name = resource.resourceName();
        switch (type) {
            case TOPIC -> {
                org.apache.kafka.common.internals.Topic.validate(name);
                Topic topic = topics.get(name);
                return topic == null ? null
                        : TopicConfigViews.describe(topic.record(), topics.brokerConfigs(), resource.configurationKeys(), synonyms);
            }
            case BROKER -> {
                return topics.brokerConfigs().describe(name, resource.configurationKeys(), synonyms);
            }
            default -> throw new InvalidRequestException("Unsupported resource type: " + type);
        }
    }

    private static List<DescribeConfigsResourceResult> toResults(List<ConfigView> views) {
        List<DescribeConfigsResourceResult> results = new ArrayList<>(views.size());
        for (ConfigView v : views) {
            List<DescribeConfigsSynonym> synonyms = new ArrayList<>(v.synonyms().size());
            for (ConfigView.Synonym s : v.synonyms()) {
                synonyms.add(new DescribeConfigsSynonym().setName(s.name()).setValue(s.value()).setSource(s.source().id()));
            }
            results.add(new DescribeConfigsResourceResult()
                    .setName(v.name())
                    .setValue(v.value())
                    .setReadOnly(v.readOnly())
                    .setConfigSource(v.source().id())
                    .setIsSensitive(v.sensitive())
                    .setSynonyms(synonyms)
                    .setConfigType(v.type().id())
                    .setDocumentation(null));
        }
        return results;
    }
}
