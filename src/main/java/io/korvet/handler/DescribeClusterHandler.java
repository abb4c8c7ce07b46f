package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.ClusterMembership;
import io.korvet.cluster.ClusterView;
import io.korvet.config.KorvetConfig;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.EndpointType;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/**
 * DescribeCluster: the cluster id and the live brokers, the one with the lowest id named as controller (Kafka
 * brokers name a live broker there). Korvet has broker endpoints only: asking for controllers is
 * MISMATCHED_ENDPOINT_TYPE, as a Kafka broker answers.
 */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {

    private final KorvetConfig config;
    private final ClusterMembership membership;

    public DescribeClusterHandler(KorvetConfig config, ClusterMembership membership) {
        this.config = config;
        this.membership = membership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeClusterRequest request) {
        ClusterView view = membership.view();
        DescribeClusterResponseData data = new DescribeClusterResponseData()
                .setEndpointType(EndpointType.BROKER.id())
                .setClusterId(config.clusterId())
                .setControllerId(view.controllerId())
                .setClusterAuthorizedOperations(request.data().includeClusterAuthorizedOperations()
                        ? AuthorizedOperations.ofCluster(context) : AuthorizedOperations.NOT_REQUESTED);
        if (context.apiVersion() >= 1 && request.data().endpointType() != EndpointType.BROKER.id()) {
            return CompletableFuture.completedFuture(data
                    .setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code())
                    .setErrorMessage("The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type "
                            + EndpointType.fromId(request.data().endpointType())));
        }
        for (BrokerInfo b : view.brokers()) {
            io.korvet.config.Endpoint e = b.on(context.listenerName());
            if (e == null) {
                continue;
            }
            data.brokers().add(new DescribeClusterBroker()
                    .setBrokerId(b.nodeId())
                    .setHost(e.host())
                    .setPort(e.port())
                    .setRack(b.rack())
                    .setIsFenced(false));
        }
        return CompletableFuture.completedFuture(data.setErrorCode(Errors.NONE.code()));
    }
}
