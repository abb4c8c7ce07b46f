package io.korvet.handler;

import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ElectLeadersRequest;

/**
 * ElectLeaders ({@code kafka-leader-election.sh}). A Korvet partition's leader is always its preferred replica:
 * every broker computes the leader from the live brokers (rendezvous hashing, {@link io.korvet.cluster.LeaderAssignment}),
 * lists it first among the replicas, and a broker that comes back takes its partitions back at once; and a partition
 * always has a leader while a broker is live. So, as Kafka's controller answers for a partition whose leader is
 * already the preferred one (or, for an unclean election, that has a leader), every existing partition gets
 * ELECTION_NOT_NEEDED, and an election over all partitions lists none of them. ALTER on the cluster, as in Kafka.
 */
public final class ElectLeadersHandler implements ApiHandler<ElectLeadersRequest> {

    private final TopicManager topics;

    public ElectLeadersHandler(TopicManager topics) {
        this.topics = topics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ELECT_LEADERS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, ElectLeadersRequest request) {
        if (!context.allowedOnCluster(AclOperation.ALTER)) {
            return done(request.getErrorResponse(0, Errors.CLUSTER_AUTHORIZATION_FAILED.exception()).data());
        }
        try {
            ElectionType.valueOf(request.data().electionType());
        } catch (IllegalArgumentException e) {
            return done(request.getErrorResponse(0, Errors.INVALID_REQUEST.exception(
                    "Unknown election type " + request.data().electionType())).data());
        }
        if (request.data().topicPartitions() == null) {
            return topics.refresh().thenApply(v -> allPartitions());
        }
        List<String> names = new ArrayList<>();
        request.data().topicPartitions().forEach(t -> names.add(t.topic()));
        return topics.resolve(names).thenApply(v -> named(request.data().topicPartitions()));
    }

    /** Every topic, each with no partition: none needs an election (Kafka leaves those out). */
    private ApiMessage allPartitions() {
        ElectLeadersResponseData out = new ElectLeadersResponseData().setErrorCode(Errors.NONE.code());
        topics.all().stream().map(Topic::name).sorted(Comparator.naturalOrder())
                .forEach(name -> out.replicaElectionResults().add(new ReplicaElectionResult().setTopic(name)));
        return out;
    }

    private ApiMessage named(Iterable<TopicPartitions> requested) {
        ElectLeadersResponseData out = new ElectLeadersResponseData().setErrorCode(Errors.NONE.code());
        for (TopicPartitions t : requested) {
            ReplicaElectionResult result = new ReplicaElectionResult().setTopic(t.topic());
            out.replicaElectionResults().add(result);
            Topic topic = topics.get(t.topic());
            for (int p : t.partitions()) {
                PartitionResult r = new PartitionResult().setPartitionId(p);
                if (topic == null) {
                    r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("No such topic as " + t.topic());
                } else if (!topic.hasPartition(p)) {
                    r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("No such partition as " + t.topic() + "-" + p);
                } else {
                    r.setErrorCode(Errors.ELECTION_NOT_NEEDED.code());
                }
                result.partitionResult().add(r);
            }
        }
        return out;
    }

    private static CompletionStage<ApiMessage> done(ApiMessage message) {
        return CompletableFuture.completedFuture(message);
    }
}
