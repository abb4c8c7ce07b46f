package io.korvet.cluster;

import io.korvet.log.LeadershipEvents;
import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which partitions this broker leads, from the cluster view, and what it does when that changes: it resigns the
 * partitions it no longer leads and claims the ones it now leads, each claim with the next leader epoch (the
 * partition's state is rebuilt from the stream on the way, idempotent producers' sequences with it). Whatever a
 * broker believes, the append fence refuses the appends of a broker whose claim was superseded.
 */
public final class PartitionLeadership implements LeadershipEvents {

    private static final Logger log = LoggerFactory.getLogger(PartitionLeadership.class);

    private final ClusterMembership membership;
    private final TopicManager topics;
    private final LogManager logs;
    /** {@code replica.selector.class} is Kafka's RackAwareReplicaSelector: consumers are sent to a broker in their rack. */
    private final boolean rackAware;

    public PartitionLeadership(ClusterMembership membership, TopicManager topics, LogManager logs, boolean rackAware) {
        this.membership = membership;
        this.topics = topics;
        this.logs = logs;
        this.rackAware = rackAware;
        logs.leadershipEvents(this);
        membership.onViewChange(this::rebalance);
    }

    /** The node id of the partition's leader (-1 for an unknown topic). */
    public int leaderOf(Topic topic, int partition) {
        return membership.view().leaderOf(topic.name(), partition, topic.partitions());
    }

    public boolean leads(Topic topic, int partition) {
        return leaderOf(topic, partition) == membership.self().nodeId();
    }

    public boolean leads(TopicPartition tp) {
        Topic topic = topics.get(tp.topic());
        return topic != null && topic.hasPartition(tp.partition()) && leads(topic, tp.partition());
    }

    /**
     * The partition's leader epoch: this broker's own claim when it leads it, else the one its leader published (a
     * claim this broker may still hold on a partition it no longer leads is never reported beside another leader).
     */
    public int epochOf(Topic topic, int partition) {
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        int published = membership.publishedEpoch(tp);
        if (!leads(topic, partition)) {
            return published;
        }
        PartitionLog own = logs.existing(tp);
        return Math.max(own == null ? -1 : own.leaderEpoch(), published);
    }

    public ClusterView view() {
        return membership.view();
    }

    /**
     * The partition's replicas as Metadata reports them: every live broker, the leader first. Storage is shared, so
     * every broker holds every partition and can serve its reads (a consumer fetching from a follower, KIP-392).
     */
    public List<Integer> replicasOf(Topic topic, int partition) {
        int leader = leaderOf(topic, partition);
        List<Integer> replicas = new ArrayList<>();
        replicas.add(leader);
        for (BrokerInfo b : membership.view().brokers()) {
            if (b.nodeId() != leader) {
                replicas.add(b.nodeId());
            }
        }
        return replicas;
    }

    /**
     * KIP-392's replica selection on the leader: with Kafka's RackAwareReplicaSelector configured, a consumer in
     * another rack than this broker's is sent to a live broker of its own rack (the same one for every consumer of a
     * partition, spread over the rack's brokers by partition); -1 to read here.
     */
    public int preferredReadReplica(Topic topic, int partition, String clientRack) {
        if (!rackAware || clientRack == null || clientRack.isEmpty() || clientRack.equals(membership.self().rack())) {
            return -1;
        }
        int[] sameRack = membership.view().brokers().stream().filter(b -> clientRack.equals(b.rack()))
                .mapToInt(BrokerInfo::nodeId).toArray();
        return sameRack.length == 0 ? -1 : LeaderAssignment.owner(topic.name() + "-" + partition, sameRack);
    }

    private void rebalance(ClusterView view) {
        int self = view.self();
        int resigned = 0;
        for (PartitionLog partition : logs.open()) {
            TopicPartition tp = partition.topicPartition();
            Topic topic = topics.get(tp.topic());
            if (topic != null && topic.hasPartition(tp.partition())
                    && view.leaderOf(tp.topic(), tp.partition(), topic.partitions()) != self && partition.leaderEpoch() >= 0) {
                partition.resign();
                resigned++;
            }
        }
        int claimed = 0;
        for (Topic topic : topics.all()) {
            for (int p = 0; p < topic.partitions(); p++) {
                if (view.leaderOf(topic.name(), p, topic.partitions()) == self) {
                    PartitionLog partition = logs.log(new TopicPartition(topic.name(), p));
                    if (partition.leaderEpoch() < 0) {
                        partition.ensureLoaded();
                        claimed++;
                    }
                }
            }
        }
        log.info("Leadership after the view change: resigned {} partitions, claiming {}", resigned, claimed);
    }

    @Override
    public void claimed(TopicPartition tp, int leaderEpoch) {
        membership.publishLeader(tp, leaderEpoch);
    }

    @Override
    public void lost(TopicPartition tp) {
        membership.refreshSoon();
    }
}
