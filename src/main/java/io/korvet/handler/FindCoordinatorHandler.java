package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.ClusterMembership;
import io.korvet.cluster.ClusterView;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

/**
 * FindCoordinator: each group, and each transactional id, has one coordinator among the live brokers
 * ({@link ClusterView#coordinatorOf}). Other coordinator types are refused with a message the client shows.
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {

    private final ClusterMembership membership;

    public FindCoordinatorHandler(ClusterMembership membership) {
        this.membership = membership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, FindCoordinatorRequest request) {
        byte keyType = request.data().keyType();
        FindCoordinatorResponseData data = new FindCoordinatorResponseData();
        if (context.apiVersion() >= 4) {
            for (String key : request.data().coordinatorKeys()) {
                Coordinator c = authorized(context, key, keyType) ? coordinator(key, keyType, context.listenerName()) : refused(key, keyType);
                data.coordinators().add(c);
            }
        } else {
            String key = request.data().key();
            Coordinator c = authorized(context, key, keyType) ? coordinator(key, keyType, context.listenerName()) : refused(key, keyType);
            data.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
            if (context.apiVersion() == 0) {
                data.setErrorMessage(null);
            }
        }
        return CompletableFuture.completedFuture(data);
    }

    /** Kafka's check: DESCRIBE on the group (or transactional id) whose coordinator is asked for. */
    private static boolean authorized(RequestContext context, String key, byte keyType) {
        if (keyType == CoordinatorType.GROUP.id()) {
            return context.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, key == null ? "" : key);
        }
        if (keyType == CoordinatorType.TRANSACTION.id()) {
            return context.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key == null ? "" : key);
        }
        return true;
    }

    private static Coordinator refused(String key, byte keyType) {
        Errors error = keyType == CoordinatorType.TRANSACTION.id() ? Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
                : Errors.GROUP_AUTHORIZATION_FAILED;
        return new Coordinator().setKey(key).setErrorCode(error.code())
                .setErrorMessage(error.message()).setNodeId(-1).setHost("").setPort(-1);
    }

    private Coordinator coordinator(String key, byte keyType, String listenerName) {
        Coordinator c = new Coordinator().setKey(key);
        String refusal = null;
        if (keyType != CoordinatorType.GROUP.id() && keyType != CoordinatorType.TRANSACTION.id()) {
            refusal = "Korvet does not support coordinator type " + keyType + " (only groups and transactions)";
        }
        if (refusal != null) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(refusal).setNodeId(-1).setHost("").setPort(-1);
        }
        if (key == null || key.isEmpty()) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(keyType == CoordinatorType.TRANSACTION.id()
                            ? "The transactional id must not be empty" : "The group id must not be empty")
                    .setNodeId(-1).setHost("").setPort(-1);
        }
        ClusterView view = membership.view();
        BrokerInfo coordinator = view.broker(view.coordinatorOf(key));
        io.korvet.config.Endpoint e = coordinator.on(listenerName);
        if (e == null) {
            return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setErrorMessage("The coordinator, broker " + coordinator.nodeId() + ", has no listener " + listenerName)
                    .setNodeId(-1).setHost("").setPort(-1);
        }
        return c.setErrorCode(Errors.NONE.code()).setNodeId(coordinator.nodeId()).setHost(e.host()).setPort(e.port());
    }

}
