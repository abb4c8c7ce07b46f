package io.korvet.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.config.KorvetConfig;
import io.korvet.storage.GroupStore;
import io.korvet.storage.GroupStore.CommittedOffset;
import io.netty.util.HashedWheelTimer;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Kafka's offset expiry rule, and the coordinator's passes over stored groups, on a clock of the test's own. */
class OffsetExpiryTest {

    private static final long MINUTE = 60_000;
    private static final long RETENTION = 7 * 24 * 60 * MINUTE;
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition B0 = new TopicPartition("b", 0);

    private static CommittedOffset committedAt(long ms) {
        return new CommittedOffset(42, 0, "", ms);
    }

    private static Map<TopicPartition, CommittedOffset> offsets(long aCommittedAt, long bCommittedAt) {
        Map<TopicPartition, CommittedOffset> out = new LinkedHashMap<>();
        out.put(A0, committedAt(aCommittedAt));
        out.put(B0, committedAt(bCommittedAt));
        return out;
    }

    @Test
    void anEmptyGroupsOffsetsExpireTogetherRetentionAfterItBecameEmpty() {
        long empty = 10 * RETENTION;
        OffsetExpiry rule = OffsetExpiry.emptySince(empty);
        Map<TopicPartition, CommittedOffset> old = offsets(0, empty - 1);
        assertThat(rule.expired(old, empty + RETENTION - 1, RETENTION)).isEmpty();
        assertThat(rule.expired(old, empty + RETENTION, RETENTION)).containsOnlyKeys(A0, B0);
    }

    @Test
    void withoutAGroupProtocolEachOffsetAgesFromItsCommit() {
        OffsetExpiry rule = OffsetExpiry.fromCommits(Set.of());
        long now = 20 * RETENTION;
        assertThat(rule.expired(offsets(now - RETENTION, now - RETENTION + 1), now, RETENTION)).containsOnlyKeys(A0);
    }

    @Test
    void aStableGroupKeepsTheOffsetsOfTopicsItSubscribesTo() {
        OffsetExpiry rule = OffsetExpiry.fromCommits(Set.of("a"));
        assertThat(rule.expired(offsets(0, 0), 2 * RETENTION, RETENTION)).containsOnlyKeys(B0);
        assertThat(OffsetExpiry.NEVER.expired(offsets(0, 0), 2 * RETENTION, RETENTION)).isEmpty();
    }

    // ---- the coordinator's pass -------------------------------------------------------------------

    private final AtomicLong now = new AtomicLong(100 * RETENTION);
    private final FakeStore store = new FakeStore();
    private final HashedWheelTimer timer = new HashedWheelTimer();
    private final GroupCoordinator coordinator = new GroupCoordinator(store, timer,
            new KorvetConfig.GroupSettings(6000, 1800000, 0, 4096, RETENTION, 600_000), now::get);

    @AfterEach
    void stopTimer() {
        timer.stop();
    }

    private void pass() throws Exception {
        coordinator.expireOffsets().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aStandaloneGroupLosesItsOldOffsetsAndGoesWithTheLast() throws Exception {
        store.put("standalone", "", offsets(now.get() - RETENTION - 1, now.get() - MINUTE));
        pass();
        assertThat(store.offsets.get("standalone")).containsOnlyKeys(B0);
        assertThat(store.types).containsKey("standalone");
        now.addAndGet(RETENTION);
        pass();
        assertThat(store.offsets).doesNotContainKey("standalone");
        assertThat(store.types).doesNotContainKey("standalone");
    }

    @Test
    void anEmptyClassicGroupGoesRetentionAfterItBecameEmpty() throws Exception {
        store.put("classic", "consumer", offsets(0, 0));
        store.emptySince.put("classic", now.get() - RETENTION + MINUTE);
        pass();
        assertThat(store.offsets.get("classic")).hasSize(2);
        now.addAndGet(MINUTE);
        pass();
        assertThat(store.types).doesNotContainKey("classic");
        assertThat(store.emptySince).doesNotContainKey("classic");
    }

    @Test
    void anEmptyGroupNotKnownToHaveBecomeEmptyAgesFromTheFirstPassThatSeesIt() throws Exception {
        store.put("restarted", "consumer", offsets(0, 0));
        long firstSeen = now.get();
        pass();
        assertThat(store.emptySince).containsEntry("restarted", firstSeen);
        now.addAndGet(RETENTION - 1);
        pass();
        assertThat(store.offsets.get("restarted")).hasSize(2);
        now.addAndGet(1);
        pass();
        assertThat(store.types).doesNotContainKey("restarted");
    }

    @Test
    void anEmptyGroupWithoutOffsetsIsDeletedAndOthersStay() throws Exception {
        store.put("nothing", "consumer", Map.of());
        store.put("fresh", "", offsets(now.get(), now.get()));
        pass();
        assertThat(store.types).containsOnlyKeys("fresh");
        assertThat(store.offsets.get("fresh")).hasSize(2);
    }

    @Test
    void groupsAnotherBrokerCoordinatesAreLeftToIt() throws Exception {
        store.put("elsewhere", "", offsets(0, 0));
        coordinator.coordinate(id -> !id.equals("elsewhere"));
        pass();
        assertThat(store.offsets.get("elsewhere")).hasSize(2);
    }

    /** Groups in memory, as RedisGroupStore keeps them in Redis. */
    private static final class FakeStore implements GroupStore {
        final Map<String, String> types = new ConcurrentHashMap<>();
        final Map<String, Map<TopicPartition, CommittedOffset>> offsets = new ConcurrentHashMap<>();
        final Map<String, Long> emptySince = new ConcurrentHashMap<>();

        void put(String group, String type, Map<TopicPartition, CommittedOffset> committed) {
            types.put(group, type);
            offsets.put(group, new ConcurrentHashMap<>(committed));
        }

        @Override
        public CompletionStage<Map<String, String>> listGroups() {
            return CompletableFuture.completedFuture(new HashMap<>(types));
        }

        @Override
        public CompletionStage<Void> commitOffsets(String groupId, String protocolType, Map<TopicPartition, CommittedOffset> o) {
            types.put(groupId, protocolType);
            offsets.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>()).putAll(o);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Map<TopicPartition, CommittedOffset>> fetchOffsets(String groupId) {
            return CompletableFuture.completedFuture(new HashMap<>(offsets.getOrDefault(groupId, Map.of())));
        }

        @Override
        public CompletionStage<Void> deleteOffsets(String groupId, Collection<TopicPartition> partitions) {
            partitions.forEach(offsets.getOrDefault(groupId, new HashMap<>())::remove);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Long> expireOffsets(String groupId, Map<TopicPartition, CommittedOffset> expired) {
            Map<TopicPartition, CommittedOffset> held = offsets.getOrDefault(groupId, new HashMap<>());
            expired.forEach(held::remove);
            return CompletableFuture.completedFuture((long) held.size());
        }

        @Override
        public CompletionStage<Void> deleteGroup(String groupId) {
            types.remove(groupId);
            offsets.remove(groupId);
            emptySince.remove(groupId);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Map<String, Long>> emptySince() {
            return CompletableFuture.completedFuture(new HashMap<>(emptySince));
        }

        @Override
        public CompletionStage<Void> emptySince(String groupId, long sinceMs) {
            if (sinceMs < 0) {
                emptySince.remove(groupId);
            } else {
                emptySince.put(groupId, sinceMs);
            }
            return CompletableFuture.completedFuture(null);
        }
    }
}
