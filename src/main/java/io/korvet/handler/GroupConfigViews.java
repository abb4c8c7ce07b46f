package io.korvet.handler;

import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupConfigs;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/** DescribeConfigs of a GROUP resource ({@code kafka-configs.sh --describe --entity-type groups}): the share group configs. */
final class GroupConfigViews {

    private GroupConfigViews() {
    }

    static CompletionStage<Void> describe(RequestContext context, GroupConfigs configs, DescribeConfigsResource resource,
                                          DescribeConfigsResult result) {
        try {
            ConfigResources.checkAccess(context, AclOperation.DESCRIBE_CONFIGS, ConfigResource.Type.GROUP, resource.resourceName());
        } catch (RuntimeException e) {
            var error = ErrorMapper.toApiException(e);
            result.setErrorCode(Errors.forException(error).code()).setErrorMessage(error.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        List<String> keys = resource.configurationKeys();
        return configs.describe(resource.resourceName()).handle((all, failure) -> {
            if (failure != null) {
                var error = ErrorMapper.toApiException(failure);
                result.setErrorCode(Errors.forException(error).code()).setErrorMessage(error.getMessage());
                return null;
            }
            result.setErrorCode(Errors.NONE.code());
            all.forEach((name, value) -> {
                if (keys != null && !keys.isEmpty() && !keys.contains(name)) {
                    return;
                }
                boolean dflt = value.getValue();
                result.configs().add(new DescribeConfigsResourceResult().setName(name).setValue(value.getKey()).setReadOnly(false)
                        .setConfigSource(dflt ? DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id()
                                : DescribeConfigsResponse.ConfigSource.GROUP_CONFIG.id())
                        .setIsSensitive(false)
                        .setConfigType(name.endsWith(".reset") || name.endsWith(".level") ? DescribeConfigsResponse.ConfigType.STRING.id()
                                : DescribeConfigsResponse.ConfigType.INT.id()));
            });
            return null;
        });
    }
}
