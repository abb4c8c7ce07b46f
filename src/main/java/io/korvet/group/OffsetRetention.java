package io.korvet.group;

import io.korvet.config.KorvetConfig.GroupSettings;
import io.korvet.storage.GroupStore;
import io.korvet.storage.GroupStore.CommittedOffset;
import io.netty.util.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets expire as in Kafka ({@code offsets.retention.minutes} after a group becomes empty, or from each
 * commit for consumers without a group protocol; see {@link OffsetExpiry}), checked every
 * {@code offsets.retention.check.interval.ms} over the groups this broker coordinates; a group left empty and without
 * offsets is deleted.
 */
final class OffsetRetention {

    private static final Logger log = LoggerFactory.getLogger(OffsetRetention.class);

    private final GroupStore store;
    private final GroupSettings settings;
    private final Timer timer;
    private final LongSupplier clock;
    private final CoordinatedGroups registry;

    OffsetRetention(GroupStore store, GroupSettings settings, Timer timer, LongSupplier clock, CoordinatedGroups registry) {
        this.store = store;
        this.settings = settings;
        this.timer = timer;
        this.clock = clock;
        this.registry = registry;
    }

    /** Records in Redis when a group became empty (-1: it has members again), so that a restart keeps the count. */
    void recordEmptySince(String groupId, long sinceMs) {
        store.emptySince(groupId, sinceMs).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("Could not record in Redis when group {} became empty: {}", groupId, e.getMessage());
            }
        });
    }

    /** Runs {@link #expireOffsets()} every {@code offsets.retention.check.interval.ms}, until the timer stops. */
    void start() {
        io.korvet.cluster.Periodic.everyAfter(timer, settings.offsetsRetentionCheckIntervalMs(), "Expiring committed offsets",
                this::expireOffsets);
    }

    /**
     * One pass of offset expiry over the groups this broker coordinates, by Kafka's rule ({@link OffsetExpiry}); a
     * group that is empty and left without offsets is deleted, as Kafka deletes it.
     */
    CompletionStage<Void> expireOffsets() {
        long now = clock.getAsLong();
        return store.listGroups().thenCombine(store.emptySince(), (stored, emptied) -> {
            List<CompletableFuture<Void>> passes = new ArrayList<>();
            stored.forEach((id, type) -> {
                if (!registry.elsewhere(id)) {
                    passes.add(store.fetchOffsets(id).thenCompose(offsets -> expire(id, type, emptied.get(id), offsets, now))
                            .toCompletableFuture());
                }
            });
            return CompletableFuture.allOf(passes.toArray(new CompletableFuture[0]));
        }).thenCompose(all -> all);
    }

    private CompletionStage<Void> expire(String id, String storedType, Long storedEmptySince,
                                         Map<TopicPartition, CommittedOffset> offsets, long now) {
        ConsumerGroup group = registry.classic.get(id);
        ModernGroup modernGroup = registry.modern(id);
        boolean modernActive = modernGroup != null && !modernGroup.isEmpty();
        boolean active = group != null && !group.isEmptyOrDead() || modernActive;
        if (active && storedEmptySince != null) {
            // Members came back (a consumer-protocol group records none when they do): the old time must not count
            // when the group is next empty.
            recordEmptySince(id, -1);
        }
        OffsetExpiry rule;
        if (modernActive) {
            // As Kafka's consumer groups: offsets of subscribed topics stay, the others age from their commit.
            rule = OffsetExpiry.fromCommits(modernGroup.subscribedTopicNames(registry.modern().topics()));
        } else if (active) {
            rule = group.state() == GroupState.STABLE && ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType())
                    ? OffsetExpiry.fromCommits(registry.subscribedTopics(id)) : OffsetExpiry.NEVER;
        } else if (storedType == null || storedType.isEmpty()) {
            rule = OffsetExpiry.fromCommits(Set.of());
        } else {
            long since = group != null ? group.emptySinceMs() : -1;
            if (since < 0 && storedEmptySince != null) {
                since = storedEmptySince;
            }
            if (since < 0) {
                // Empty since before this broker held it, and not recorded: its offsets age from now.
                since = now;
                if (!offsets.isEmpty()) {
                    recordEmptySince(id, since);
                }
            }
            rule = OffsetExpiry.emptySince(since);
        }
        Map<TopicPartition, CommittedOffset> expired = rule.expired(offsets, now, settings.offsetsRetentionMs());
        if (expired.isEmpty() && (active || !offsets.isEmpty())) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Long> left = expired.isEmpty() ? CompletableFuture.completedFuture((long) offsets.size())
                : store.expireOffsets(id, expired);
        return left.thenCompose(remaining -> {
            if (!expired.isEmpty()) {
                log.info("Expired the committed offsets of group {} for {}", id, expired.keySet());
            }
            ConsumerGroup current = registry.classic.get(id);
            if (remaining > 0 || active || (current != null && !current.isEmptyOrDead())) {
                return CompletableFuture.completedFuture(null);
            }
            if (current != null && registry.classic.remove(id, current)) {
                current.markDead();
            }
            log.info("Deleted group {}: empty, with no committed offsets left", id);
            return store.deleteGroup(id);
        });
    }

}
