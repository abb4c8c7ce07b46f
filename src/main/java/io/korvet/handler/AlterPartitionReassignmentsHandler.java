package io.korvet.handler;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;

/**
 * AlterPartitionReassignments ({@code kafka-reassign-partitions.sh --execute / --cancel}). Korvet places no replicas:
 * Redis keeps every partition's records, and a partition's replicas are always its leader and the other live brokers,
 * its leader chosen from the live brokers. A reassignment to exactly those brokers is already complete, as Kafka
 * completes one to the current replicas; one to any other set is INVALID_REPLICA_ASSIGNMENT with a message saying why;
 * a cancellation is NO_REASSIGNMENT_IN_PROGRESS, since none ever is (ListPartitionReassignments is always empty).
 * ALTER on the cluster, as in Kafka.
 */
public final class AlterPartitionReassignmentsHandler implements ApiHandler<AlterPartitionReassignmentsRequest> {

    private final TopicManager topics;
    private final PartitionLeadership leadership;

    public AlterPartitionReassignmentsHandler(TopicManager topics, PartitionLeadership leadership) {
        this.topics = topics;
        this.leadership = leadership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, AlterPartitionReassignmentsRequest request) {
        if (!context.allowedOnCluster(AclOperation.ALTER)) {
            return CompletableFuture.completedFuture(request.getErrorResponse(0, Errors.CLUSTER_AUTHORIZATION_FAILED.exception()).data());
        }
        List<String> names = new ArrayList<>();
        request.data().topics().forEach(t -> names.add(t.name()));
        return topics.resolve(names).thenApply(v -> answer(request));
    }

    private ApiMessage answer(AlterPartitionReassignmentsRequest request) {
        AlterPartitionReassignmentsResponseData out = new AlterPartitionReassignmentsResponseData()
                .setErrorCode(Errors.NONE.code())
                .setAllowReplicationFactorChange(request.data().allowReplicationFactorChange());
        for (ReassignableTopic t : request.data().topics()) {
            ReassignableTopicResponse topicResponse = new ReassignableTopicResponse().setName(t.name());
            out.responses().add(topicResponse);
            Topic topic = topics.get(t.name());
            for (ReassignablePartition p : t.partitions()) {
                ReassignablePartitionResponse r = new ReassignablePartitionResponse().setPartitionIndex(p.partitionIndex());
                topicResponse.partitions().add(r);
                if (topic == null || !topic.hasPartition(p.partitionIndex())) {
                    r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                } else if (p.replicas() == null) {
                    r.setErrorCode(Errors.NO_REASSIGNMENT_IN_PROGRESS.code()).setErrorMessage(Errors.NO_REASSIGNMENT_IN_PROGRESS.message());
                } else {
                    List<Integer> current = leadership.replicasOf(topic, p.partitionIndex());
                    if (p.replicas().size() == current.size() && new HashSet<>(p.replicas()).equals(new HashSet<>(current))) {
                        r.setErrorCode(Errors.NONE.code());
                    } else {
                        r.setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code()).setErrorMessage("Korvet places no replicas: Redis"
                                + " keeps the records of " + t.name() + "-" + p.partitionIndex() + " and its replicas are always"
                                + " its leader and the other live brokers, " + current + "; leadership moves as brokers come and go");
                    }
                }
            }
        }
        return out;
    }
}
