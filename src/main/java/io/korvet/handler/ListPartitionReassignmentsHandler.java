package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

/**
 * ListPartitionReassignments, which {@code kafka-topics.sh --describe} asks: every partition has one replica
 * (Redis keeps the copies), so no reassignment is ever in progress and the answer is always empty.
 */
public final class ListPartitionReassignmentsHandler implements ApiHandler<ListPartitionReassignmentsRequest> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ListPartitionReassignmentsRequest request) {
        if (!context.allowedOnCluster(AclOperation.DESCRIBE)) {
            return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponseData()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()).setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
        }
        return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code()));
    }
}
