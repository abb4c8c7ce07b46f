package io.korvet.storage;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * Share groups (KIP-932) as kept in storage: each share partition's start offset and in-flight records, the
 * partitions each share group has state for, and each group's configs.
 */
public interface ShareStateStore {

    /** A share partition as stored: its start offset and each in-flight record's encoded state. */
    record Stored(long startOffset, Map<Long, String> records) {
    }

    /** The share partition's state, or null when the group has none for it. */
    CompletionStage<Stored> load(String groupId, TopicPartition tp);

    /**
     * Writes a change: the start offset, records to set, records to forget; {@code reset} clears the state first.
     * The partition is recorded among the group's.
     */
    CompletionStage<Void> write(String groupId, TopicPartition tp, boolean reset, long startOffset, Map<Long, String> records,
                                Iterable<Long> removed);

    /** Whether the group is recorded as a share group (a member joined it, or its offsets were set). */
    CompletionStage<Boolean> isShareGroup(String groupId);

    /** The partitions the group has state for. */
    CompletionStage<Set<TopicPartition>> partitions(String groupId);

    /** Forgets the group's state for these partitions. */
    CompletionStage<Void> delete(String groupId, Set<TopicPartition> partitions);

    /** The group's configs (share.auto.offset.reset...), those set. */
    CompletionStage<Map<String, String>> configs(String groupId);

    /** Replaces the group's configs. */
    CompletionStage<Void> setConfigs(String groupId, Map<String, String> configs);

    /** The ids of the groups that have configs set. */
    CompletionStage<Set<String>> configuredGroups();
}
