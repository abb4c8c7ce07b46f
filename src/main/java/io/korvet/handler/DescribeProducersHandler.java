package io.korvet.handler;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeProducers ({@code kafka-transactions.sh describe-producers}): at a partition's leader, the producers its
 * state knows, with their epochs, last sequences and the first offset of their open transaction.
 */
public final class DescribeProducersHandler implements ApiHandler<DescribeProducersRequest> {

    private final TopicManager topics;
    private final LogManager logs;
    private final PartitionLeadership leadership;

    public DescribeProducersHandler(TopicManager topics, LogManager logs, PartitionLeadership leadership) {
        this.topics = topics;
        this.logs = logs;
        this.leadership = leadership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
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
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeProducersRequest request) {
        DescribeProducersResponseData out = new DescribeProducersResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (TopicRequest t : request.data().topics()) {
            TopicResponse rt = new TopicResponse().setName(t.name());
            out.topics().add(rt);
            Topic topic = topics.get(t.name());
            boolean allowed = context.allowed(AclOperation.READ, ResourceType.TOPIC, t.name());
            for (int p : t.partitionIndexes()) {
                PartitionResponse rp = new PartitionResponse().setPartitionIndex(p);
                rt.partitions().add(rp);
                if (!allowed) {
                    rp.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                } else if (topic == null || !topic.hasPartition(p)) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (!leadership.leads(topic, p)) {
                    rp.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                } else {
                    PartitionLog log = logs.log(new TopicPartition(topic.name(), p));
                    pending.add(log.ensureLoaded().thenAccept(v -> {
                        for (PartitionLog.ActiveProducer a : log.activeProducers()) {
                            rp.activeProducers().add(new ProducerState().setProducerId(a.producerId()).setProducerEpoch(a.epoch())
                                    .setLastSequence(a.lastSequence()).setLastTimestamp(-1).setCoordinatorEpoch(0)
                                    .setCurrentTxnStartOffset(a.txnStartOffset()));
                        }
                    }).exceptionally(e -> {
                        rp.setErrorCode(ErrorMapper.toError(e, ApiKeys.DESCRIBE_PRODUCERS).code());
                        return null;
                    }).toCompletableFuture());
                }
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).thenApply(v -> out);
    }
}
