package io.korvet.storage;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** Consumer groups as kept in storage: the groups known, and each group's committed offsets. */
public interface GroupStore {

    /** An offset committed by a group for one partition. */
    record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp) {
    }

    /** Every group with committed offsets or a recorded protocol type, with that type ("" if none). */
    CompletionStage<Map<String, String>> listGroups();

    /** Records the offsets (all or nothing) and the group with its protocol type. */
    CompletionStage<Void> commitOffsets(String groupId, String protocolType, Map<TopicPartition, CommittedOffset> offsets);

    CompletionStage<Map<TopicPartition, CommittedOffset>> fetchOffsets(String groupId);

    CompletionStage<Void> deleteOffsets(String groupId, Collection<TopicPartition> partitions);

    /**
     * Removes offsets that expired, each only if it is still the one given (a commit since keeps it); completes with
     * how many offsets the group has left.
     */
    CompletionStage<Long> expireOffsets(String groupId, Map<TopicPartition, CommittedOffset> expired);

    /** Forgets the group and all its offsets. */
    CompletionStage<Void> deleteGroup(String groupId);

    /** When each group known to have become empty did (ms), for offset expiry across restarts. */
    CompletionStage<Map<String, Long>> emptySince();

    /** Records when a group became empty, or (with -1) that it has members again. */
    CompletionStage<Void> emptySince(String groupId, long sinceMs);
}
