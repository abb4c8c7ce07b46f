package io.korvet.storage;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * The transaction coordinator's state: per transactional id one encoded state, changed only by compare-and-set so
 * that two brokers that both believe they coordinate an id (for a moment, while the cluster view changes) cannot
 * overwrite each other; and the offsets transactions commit for groups, held apart until their transaction commits.
 */
public interface TransactionStore {

    /** The encoded state of a transactional id, or null. */
    CompletionStage<String> get(String transactionalId);

    /** Every transactional id's encoded state. */
    CompletionStage<Map<String, String>> all();

    /**
     * Replaces the state of {@code transactionalId} with {@code next} (null: deletes it) if it still is
     * {@code expected} (null: absent); completes with whether it did.
     */
    CompletionStage<Boolean> replace(String transactionalId, String expected, String next);

    /** Holds offsets a transaction of {@code producerId} commits for {@code groupId} until it ends. */
    CompletionStage<Void> stageOffsets(String groupId, long producerId, Map<TopicPartition, GroupStore.CommittedOffset> offsets);

    /** The transaction of {@code producerId} ended: its held offsets become the group's (commit) or are dropped. */
    CompletionStage<Void> completeOffsets(String groupId, long producerId, boolean commit);

    /** The partitions of {@code groupId} with offsets held by an open transaction. */
    CompletionStage<Set<TopicPartition>> pendingOffsets(String groupId);
}
