package io.korvet.log;

import org.apache.kafka.common.TopicPartition;

/** What the partition logs tell the rest of the broker about the leadership they hold. */
public interface LeadershipEvents {

    LeadershipEvents NONE = new LeadershipEvents() {
        @Override
        public void claimed(TopicPartition tp, int leaderEpoch) {
        }

        @Override
        public void lost(TopicPartition tp) {
        }
    };

    /** This broker claimed {@code tp} at {@code leaderEpoch} (loading its state). */
    void claimed(TopicPartition tp, int leaderEpoch);

    /** An append found that another broker claimed {@code tp} since this one did. */
    void lost(TopicPartition tp);
}
