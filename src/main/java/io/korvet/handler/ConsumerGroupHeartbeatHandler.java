package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import io.korvet.group.JoinRequests;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ConsumerGroupHeartbeat (KIP-848): joins, stays in, reconciles with and leaves a consumer-protocol group. Needs READ
 * on the group, and DESCRIBE on each topic the member subscribes to by name, as Kafka checks.
 */
public final class ConsumerGroupHeartbeatHandler implements ApiHandler<ConsumerGroupHeartbeatRequest> {

    private final GroupCoordinator coordinator;

    public ConsumerGroupHeartbeatHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_HEARTBEAT;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, ConsumerGroupHeartbeatRequest request) {
        var d = request.data();
        if (!context.allowed(AclOperation.READ, ResourceType.GROUP, d.groupId())) {
            return CompletableFuture.completedFuture(error(Errors.GROUP_AUTHORIZATION_FAILED));
        }
        if (d.subscribedTopicNames() != null) {
            for (String topic : d.subscribedTopicNames()) {
                if (!context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic)) {
                    return CompletableFuture.completedFuture(error(Errors.TOPIC_AUTHORIZATION_FAILED));
                }
            }
        }
        // A regular expression matches only the topics the member may describe, as Kafka filters it.
        return CompletableFuture.completedFuture(coordinator.consumerHeartbeat(d, context.apiVersion(),
                context.header().clientId(), JoinRequests.clientHost(context),
                topic -> context.permits(AclOperation.DESCRIBE, ResourceType.TOPIC, topic)));
    }

    private static ConsumerGroupHeartbeatResponseData error(Errors error) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(error.message());
    }
}
