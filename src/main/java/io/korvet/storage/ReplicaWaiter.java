package io.korvet.storage;

import java.util.concurrent.CompletionStage;

/**
 * What acks=all waits for beyond the write itself: copies on Redis replicas. A topic whose
 * {@code min.insync.replicas} is N &gt; 1 needs N - 1 replicas to hold an append before it is acknowledged.
 */
public interface ReplicaWaiter {

    /** The replicas connected to Redis now (refreshed at most about once a second). */
    CompletionStage<Integer> connectedReplicas();

    /**
     * Completes once at least {@code replicas} replicas hold every write acknowledged so far, or fails with
     * {@link org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException} when they do not
     * within {@code timeoutMs}.
     */
    CompletionStage<Void> awaitReplicas(int replicas, long timeoutMs);
}
