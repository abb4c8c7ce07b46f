package io.korvet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderAssignmentTest {

    @Test
    void everyBrokerLeadsItsShareOfEveryTopicGiveOrTakeOne() {
        int[] brokers = {1, 2, 3};
        for (int partitions : new int[] {1, 2, 3, 4, 7, 12, 100}) {
            for (String topic : new String[] {"orders", "a", "payments-eu", "t" + partitions}) {
                Map<Integer, Integer> load = new HashMap<>();
                for (int leader : LeaderAssignment.leaders(topic, partitions, brokers)) {
                    load.merge(leader, 1, Integer::sum);
                }
                int cap = (partitions + 2) / 3;
                assertThat(load.values()).allMatch(n -> n <= cap);
                assertThat(load.keySet()).hasSize(Math.min(3, partitions));
            }
        }
    }

    @Test
    void theAssignmentDependsOnTheSetOfBrokersAloneNotItsOrder() {
        assertThat(LeaderAssignment.leaders("orders", 30, new int[] {1, 2, 3}))
                .containsExactly(LeaderAssignment.leaders("orders", 30, new int[] {3, 1, 2}));
        assertThat(LeaderAssignment.owner("group-a", new int[] {1, 2, 3})).isEqualTo(LeaderAssignment.owner("group-a", new int[] {2, 3, 1}));
    }

    @Test
    void aBrokerThatLeavesMovesLittleMoreThanItsOwnPartitions() {
        int partitions = 300;
        int[] before = LeaderAssignment.leaders("orders", partitions, new int[] {1, 2, 3});
        int[] after = LeaderAssignment.leaders("orders", partitions, new int[] {1, 2});
        int own = 0;
        int moved = 0;
        for (int p = 0; p < partitions; p++) {
            if (before[p] == 3) {
                own++;
                assertThat(after[p]).isIn(1, 2);
            } else if (before[p] != after[p]) {
                moved++;
            }
        }
        assertThat(own).isEqualTo(100);
        // Bounded loads cascade a little: far fewer than with round-robin, which would move about two thirds.
        assertThat(moved).isLessThan(partitions / 4);
    }

    @Test
    void groupsSpreadOverTheBrokers() {
        Map<Integer, Integer> load = new HashMap<>();
        for (int g = 0; g < 3000; g++) {
            load.merge(LeaderAssignment.owner("group-" + g, new int[] {1, 2, 3}), 1, Integer::sum);
        }
        assertThat(load.values()).allMatch(n -> n > 800 && n < 1200);
    }

    @Test
    void aViewAlwaysHoldsItsOwnBrokerAndNamesTheLowestIdController() {
        BrokerInfo self = new BrokerInfo(2, "h2", 9092, null);
        ClusterView alone = new ClusterView(self, java.util.List.of());
        assertThat(alone.brokers()).containsExactly(self);
        assertThat(alone.leads("orders", 0, 1)).isTrue();
        ClusterView three = new ClusterView(self, java.util.List.of(new BrokerInfo(3, "h3", 9092, "r1"),
                new BrokerInfo(1, "h1", 9092, null), new BrokerInfo(2, "stale", 1, null)));
        assertThat(three.brokers()).extracting(BrokerInfo::nodeId).containsExactly(1, 2, 3);
        assertThat(three.broker(2)).isEqualTo(self);
        assertThat(three.controllerId()).isEqualTo(1);
        assertThat(three.sameBrokers(new ClusterView(self, three.brokers()))).isTrue();
    }
}
