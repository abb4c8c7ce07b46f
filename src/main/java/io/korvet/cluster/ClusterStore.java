package io.korvet.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** What the brokers share about each other, in Redis: their registrations, the published leaders, a change counter. */
public interface ClusterStore {

    /** A broker's registration: who, which run of it (its incarnation), and until when it counts as live. */
    record Registered(BrokerInfo broker, String incarnation, long expiresAtMs) {
    }

    /**
     * The outcome of a registration or heartbeat: accepted, with the live brokers (this one among them), or refused
     * because another live incarnation holds the node id ({@code holder}); {@code nowMs} is Redis's clock.
     */
    record Heartbeat(boolean accepted, long nowMs, List<Registered> live, Registered holder) {
    }

    /**
     * Registers this broker (or renews its registration) for {@code sessionMs}, unless another incarnation holds its
     * node id and is live; {@code takeOver} registers even then.
     */
    CompletionStage<Heartbeat> heartbeat(BrokerInfo self, String incarnation, long sessionMs, boolean takeOver);

    /** Removes this broker's registration (its clean shutdown), if it is still this incarnation's. */
    CompletionStage<Void> leave(int nodeId, String incarnation);

    /** The change counter: bumped by every change of topics, broker configs and leaders. */
    CompletionStage<Long> version();

    /** The leader epochs published by the partitions' leaders. */
    CompletionStage<Map<TopicPartition, Integer>> leaderEpochs();

    /** Publishes that {@code nodeId} leads {@code tp} at {@code epoch}, and bumps the change counter. */
    CompletionStage<Void> publishLeader(TopicPartition tp, int epoch, int nodeId);
}
