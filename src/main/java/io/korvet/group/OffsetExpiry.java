package io.korvet.group;

import io.korvet.storage.GroupStore.CommittedOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's rule for when a group's committed offsets expire ({@code offsets.retention.minutes}), as its group
 * coordinator applies it to classic groups:
 * <ul>
 *   <li>a group with a protocol type that is now Empty: every offset, {@code retention} after the group became
 *       empty;</li>
 *   <li>a group without a protocol type (consumers that commit without joining, e.g. with {@code assign()}): each
 *       offset {@code retention} after it was committed;</li>
 *   <li>a Stable group of consumers: the offsets of topics none of its members subscribes to, {@code retention}
 *       after they were committed;</li>
 *   <li>a group rebalancing, or of another protocol: none.</li>
 * </ul>
 *
 * @param emptySinceMs when the group became empty, or -1 to age each offset from its commit
 * @param kept         topics whose offsets do not expire (subscribed by a member), or null when none expire at all
 */
record OffsetExpiry(long emptySinceMs, Set<String> kept) {

    static final OffsetExpiry NEVER = new OffsetExpiry(-1, null);

    static OffsetExpiry emptySince(long ms) {
        return new OffsetExpiry(ms, Set.of());
    }

    static OffsetExpiry fromCommits(Set<String> subscribedTopics) {
        return new OffsetExpiry(-1, subscribedTopics);
    }

    /** The offsets that expired at {@code nowMs} (ordered as given). */
    Map<TopicPartition, CommittedOffset> expired(Map<TopicPartition, CommittedOffset> offsets, long nowMs, long retentionMs) {
        Map<TopicPartition, CommittedOffset> out = new LinkedHashMap<>();
        if (kept == null) {
            return out;
        }
        offsets.forEach((tp, o) -> {
            long base = emptySinceMs >= 0 ? emptySinceMs : o.commitTimestamp();
            if (!kept.contains(tp.topic()) && nowMs - base >= retentionMs) {
                out.put(tp, o);
            }
        });
        return out;
    }
}
