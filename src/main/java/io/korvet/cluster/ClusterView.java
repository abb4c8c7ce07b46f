package io.korvet.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live brokers as this broker last saw them, itself always among them, and what follows from them: the leader
 * of every partition and the coordinator of every group ({@link LeaderAssignment}), and the controller (the lowest
 * live node id). Immutable; a new view replaces it when a broker comes or goes.
 */
public final class ClusterView {

    private final int self;
    private final List<BrokerInfo> brokers;
    private final int[] ids;
    /** Leaders per topic by partition, computed once per view (again when the topic's partition count changed). */
    private final Map<String, int[]> leaders = new ConcurrentHashMap<>();

    public ClusterView(BrokerInfo self, List<BrokerInfo> live) {
        this.self = self.nodeId();
        List<BrokerInfo> all = new ArrayList<>();
        all.add(self);
        for (BrokerInfo b : live) {
            if (b.nodeId() != self.nodeId()) {
                all.add(b);
            }
        }
        all.sort(Comparator.comparingInt(BrokerInfo::nodeId));
        this.brokers = List.copyOf(all);
        this.ids = all.stream().mapToInt(BrokerInfo::nodeId).toArray();
    }

    public int self() {
        return self;
    }

    /** Every live broker, by node id. */
    public List<BrokerInfo> brokers() {
        return brokers;
    }

    public BrokerInfo broker(int nodeId) {
        for (BrokerInfo b : brokers) {
            if (b.nodeId() == nodeId) {
                return b;
            }
        }
        return null;
    }

    public int controllerId() {
        return ids[0];
    }

    /** The node id of the partition's leader, for a topic of {@code partitionCount} partitions. */
    public int leaderOf(String topic, int partition, int partitionCount) {
        int[] byPartition = leaders.get(topic);
        if (byPartition == null || byPartition.length != partitionCount) {
            byPartition = LeaderAssignment.leaders(topic, partitionCount, ids);
            leaders.put(topic, byPartition);
        }
        return partition < byPartition.length ? byPartition[partition] : -1;
    }

    public boolean leads(String topic, int partition, int partitionCount) {
        return leaderOf(topic, partition, partitionCount) == self;
    }

    public int coordinatorOf(String groupId) {
        return LeaderAssignment.owner(groupId, ids);
    }

    public boolean coordinates(String groupId) {
        return coordinatorOf(groupId) == self;
    }

    /** Whether the two views have the same brokers at the same addresses. */
    public boolean sameBrokers(ClusterView other) {
        return other != null && brokers.equals(other.brokers);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (BrokerInfo b : brokers) {
            s.append(s.length() == 0 ? "" : ", ").append(b.nodeId()).append('@').append(b.host()).append(':').append(b.port());
            if (b.rack() != null) {
                s.append(" (rack ").append(b.rack()).append(')');
            }
        }
        return s.toString();
    }
}
