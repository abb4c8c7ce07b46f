package io.korvet.storage;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * What acks=all waits for beyond the write itself: copies on Redis replicas. A topic whose
 * {@code min.insync.replicas} is N &gt; 1 needs N - 1 replicas to hold an append before it is acknowledged.
 */
public interface ReplicaWaiter {

    /** The replicas connected to the Redis (master) holding {@code tp} now (refreshed at most about once a second). */
    CompletionStage<Integer> connectedReplicas(TopicPartition tp);

    /**
     * Completes once at least {@code replicas} replicas of the Redis holding {@code tp} hold every write acknowledged
     * there so far, or fails with
     * {@link org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException} when they do not
     * within {@code timeoutMs}.
     */
    CompletionStage<Void> awaitReplicas(TopicPartition tp, int replicas, long timeoutMs);
}
