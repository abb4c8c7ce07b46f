package io.korvet.handler.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** Kafka's fetch session rules (KIP-227), without a broker: contexts, incremental answers, the cache's evictions. */
class FetchSessionsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FetchSessions sessions = new FetchSessions(new FetchSessionCache(3, FetchSessionCache.EVICTION_MS), now::get);

    private static final PartitionKey A0 = PartitionKey.byName("a", 0);
    private static final PartitionKey A1 = PartitionKey.byName("a", 1);
    private static final PartitionKey B0 = PartitionKey.byName("b", 0);

    private static FetchPartition at(int partition, long offset) {
        return new FetchPartition().setPartition(partition).setFetchOffset(offset).setPartitionMaxBytes(1024)
                .setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1);
    }

    private static PartitionData answer(int partition, long hw, long start) {
        return new PartitionData().setPartitionIndex(partition).setHighWatermark(hw).setLogStartOffset(start)
                .setRecords(MemoryRecords.EMPTY);
    }

    private static PartitionData withRecords(int partition, long hw) {
        return answer(partition, hw, 0).setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes())));
    }

    private static LinkedHashMap<PartitionKey, FetchPartition> request(Object... keysAndOffsets) {
        LinkedHashMap<PartitionKey, FetchPartition> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndOffsets.length; i += 2) {
            PartitionKey key = (PartitionKey) keysAndOffsets[i];
            out.put(key, at(key.partition(), (Long) keysAndOffsets[i + 1]));
        }
        return out;
    }

    private static LinkedHashMap<PartitionKey, PartitionData> answers(Object... keysAndAnswers) {
        LinkedHashMap<PartitionKey, PartitionData> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndAnswers.length; i += 2) {
            out.put((PartitionKey) keysAndAnswers[i], (PartitionData) keysAndAnswers[i + 1]);
        }
        return out;
    }

    /** The (topic, partition) pairs a response lists, in order. */
    private static List<String> listed(FetchResponseData response) {
        return response.responses().stream()
                .flatMap(t -> t.partitions().stream().map(p -> (t.topic().isEmpty() ? t.topicId().toString() : t.topic()) + "-" + p.partitionIndex()))
                .toList();
    }

    /** A session of a-0, a-1 and b-0, all at high watermark 5; returns its id. */
    private int openSession() {
        FetchContext full = sessions.newContext(false, 0, 0, request(A0, 5L, A1, 5L, B0, 5L), List.of());
        assertThat(full).isInstanceOf(FetchContext.Full.class);
        FetchResponseData r = full.respond(answers(A0, answer(0, 5, 0), A1, answer(1, 5, 0), B0, answer(0, 5, 0)));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.sessionId()).isNotZero();
        assertThat(listed(r)).containsExactly("a-0", "a-1", "b-0");
        assertThat(r.responses()).hasSize(2);
        return r.sessionId();
    }

    @Test
    void aFullFetchWithEpochZeroOpensASessionWhoseNextEpochIsOne() {
        int id = openSession();
        assertThat(sessions.cache().get(id).epoch()).isEqualTo(1);
        assertThat(sessions.cache().size()).isEqualTo(1);
        assertThat(sessions.cache().totalPartitions()).isEqualTo(3);
    }

    @Test
    void aFullFetchWithEpochMinusOneKeepsNoSessionAndClosesTheOneItNames() {
        FetchContext c = sessions.newContext(false, 0, -1, request(A0, 0L), List.of());
        assertThat(c).isInstanceOf(FetchContext.Sessionless.class);
        assertThat(c.respond(answers(A0, answer(0, 5, 0))).sessionId()).isZero();
        assertThat(sessions.cache().size()).isZero();

        int id = openSession();
        assertThat(sessions.newContext(false, id, -1, request(A0, 0L), List.of())).isInstanceOf(FetchContext.Sessionless.class);
        assertThat(sessions.cache().get(id)).isNull();
    }

    @Test
    void aFullFetchNamingASessionReplacesIt() {
        int id = openSession();
        FetchContext c = sessions.newContext(false, id, 0, request(A0, 0L), List.of());
        int next = c.respond(answers(A0, answer(0, 5, 0))).sessionId();
        assertThat(next).isNotZero().isNotEqualTo(id);
        assertThat(sessions.cache().get(id)).isNull();
        assertThat(sessions.cache().size()).isEqualTo(1);
    }

    @Test
    void sessionErrorsAreAnsweredAtTopLevelWithNoPartitions() {
        int id = openSession();
        FetchContext unknown = sessions.newContext(false, id + 1, 1, request(), List.of());
        FetchResponseData r = unknown.respond(answers());
        assertThat(r.errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        assertThat(r.sessionId()).isZero();
        assertThat(r.responses()).isEmpty();
        assertThat(unknown.partitions()).isEmpty();

        assertThat(sessions.newContext(false, id, 2, request(), List.of()).respond(answers()).errorCode())
                .isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
        assertThat(sessions.newContext(true, id, 1, request(), List.of()).respond(answers()).errorCode())
                .isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR.code());
        // The errors left the session as it was: epoch 1 is still the one expected.
        assertThat(sessions.newContext(false, id, 1, request(), List.of())).isInstanceOf(FetchContext.Incremental.class);
    }

    @Test
    void anIncrementalFetchReadsTheWholeSessionWithTheChangedParametersAndWithoutTheForgotten() {
        int id = openSession();
        FetchContext c = sessions.newContext(false, id, 1, request(A1, 7L), List.of(B0));
        assertThat(c).isInstanceOf(FetchContext.Incremental.class);
        assertThat(c.partitions().keySet()).containsExactly(A0, A1);
        assertThat(c.partitions().get(A0).fetchOffset()).isEqualTo(5);
        assertThat(c.partitions().get(A1).fetchOffset()).isEqualTo(7);
        assertThat(sessions.cache().get(id).epoch()).isEqualTo(2);
        assertThat(sessions.cache().totalPartitions()).isEqualTo(2);

        // A partition added in an incremental request is always in its first answer.
        FetchContext added = sessions.newContext(false, id, 2, request(B0, 0L), List.of());
        FetchResponseData r = added.respond(answers(A0, answer(0, 5, 0), A1, answer(1, 5, 0), B0, answer(0, 0, 0)));
        assertThat(listed(r)).containsExactly("b-0");
    }

    @Test
    void anIncrementalAnswerCarriesOnlyPartitionsWithRecordsNewOffsetsOrErrors() {
        int id = openSession();
        FetchResponseData nothing = sessions.newContext(false, id, 1, request(), List.of())
                .respond(answers(A0, answer(0, 5, 0), A1, answer(1, 5, 0), B0, answer(0, 5, 0)));
        assertThat(nothing.sessionId()).isEqualTo(id);
        assertThat(nothing.responses()).isEmpty();

        FetchResponseData changed = sessions.newContext(false, id, 2, request(), List.of())
                .respond(answers(A0, answer(0, 6, 0), A1, answer(1, 5, 2), B0, answer(0, 5, 0)));
        assertThat(listed(changed)).containsExactly("a-0", "a-1");
        // What was told is remembered: the same offsets again are news no more.
        FetchResponseData again = sessions.newContext(false, id, 3, request(), List.of())
                .respond(answers(A0, answer(0, 6, 0), A1, answer(1, 5, 2), B0, answer(0, 5, 0)));
        assertThat(again.responses()).isEmpty();

        // An error is always sent, and the partition once more when the error is gone, even at the same offsets.
        PartitionData failed = answer(0, 6, 0).setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(listed(sessions.newContext(false, id, 4, request(), List.of())
                .respond(answers(A0, failed, A1, answer(1, 5, 2), B0, answer(0, 5, 0))))).containsExactly("a-0");
        assertThat(listed(sessions.newContext(false, id, 5, request(), List.of())
                .respond(answers(A0, answer(0, 6, 0), A1, answer(1, 5, 2), B0, answer(0, 5, 0))))).containsExactly("a-0");

        PartitionData redirected = answer(0, 5, 0).setPreferredReadReplica(2);
        assertThat(listed(sessions.newContext(false, id, 6, request(), List.of())
                .respond(answers(A0, answer(0, 6, 0), A1, answer(1, 5, 2), B0, redirected)))).containsExactly("b-0");
    }

    @Test
    void aPartitionThatReturnedRecordsIsReadLastNextTime() {
        int id = openSession();
        FetchResponseData r = sessions.newContext(false, id, 1, request(), List.of())
                .respond(answers(A0, withRecords(0, 6), A1, answer(1, 5, 0), B0, answer(0, 5, 0)));
        assertThat(listed(r)).containsExactly("a-0");
        assertThat(sessions.newContext(false, id, 2, request(A0, 6L), List.of()).partitions().keySet()).containsExactly(A1, B0, A0);
    }

    @Test
    void anAnswerOvertakenByAnotherRequestOfTheSessionIsAnEpochError() {
        int id = openSession();
        FetchContext first = sessions.newContext(false, id, 1, request(), List.of());
        sessions.newContext(false, id, 2, request(), List.of());
        FetchResponseData r = first.respond(answers(A0, withRecords(0, 6)));
        assertThat(r.errorCode()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
        assertThat(r.sessionId()).isEqualTo(id);
        assertThat(r.responses()).isEmpty();
    }

    @Test
    void forgettingEveryPartitionClosesTheSession() {
        int id = openSession();
        FetchContext c = sessions.newContext(false, id, 1, request(), List.of(A0, A1, B0));
        assertThat(c).isInstanceOf(FetchContext.Sessionless.class);
        assertThat(c.respond(answers()).sessionId()).isZero();
        assertThat(sessions.cache().get(id)).isNull();
        assertThat(sessions.cache().totalPartitions()).isZero();
    }

    @Test
    void sessionsByTopicIdListTopicsById() {
        Uuid id = Uuid.randomUuid();
        PartitionKey p0 = PartitionKey.byId(id, 0);
        PartitionKey p1 = PartitionKey.byId(id, 1);
        FetchResponseData r = sessions.newContext(true, 0, 0, request(p0, 0L, p1, 0L), List.of())
                .respond(answers(p0, answer(0, 0, 0), p1, answer(1, 0, 0)));
        assertThat(r.responses()).singleElement().satisfies(t -> {
            assertThat(t.topicId()).isEqualTo(id);
            assertThat(t.partitions()).hasSize(2);
        });
        FetchContext c = sessions.newContext(true, r.sessionId(), 1, request(), List.of(p1));
        assertThat(c.partitions().keySet()).containsExactly(p0);
    }

    @Test
    void withNoSlotsNoSessionIsEverCreated() {
        FetchSessions none = new FetchSessions(new FetchSessionCache(0, FetchSessionCache.EVICTION_MS), now::get);
        FetchResponseData r = none.newContext(false, 0, 0, request(A0, 0L), List.of()).respond(answers(A0, answer(0, 0, 0)));
        assertThat(r.sessionId()).isZero();
        assertThat(listed(r)).containsExactly("a-0");
    }

    // ---- the cache's eviction rules ------------------------------------------------------------

    private final FetchSessionCache cache = new FetchSessionCache(2, FetchSessionCache.EVICTION_MS);

    private int create(int size) {
        return cache.maybeCreateSession(now.get(), size, false, () -> {
            LinkedHashMap<PartitionKey, CachedPartition> m = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                m.put(PartitionKey.byName("t", i), new CachedPartition(PartitionKey.byName("t", i), at(i, 0)));
            }
            return m;
        });
    }

    @Test
    void aFullCacheOfFreshSessionsCreatesNoMore() {
        assertThat(create(5)).isNotZero();
        assertThat(create(5)).isNotZero();
        now.addAndGet(1_000);
        assertThat(create(500)).isZero();
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aSessionIdleLongerThanTheEvictionTimeMakesRoomForAnyNewOne() {
        int old = create(50);
        now.addAndGet(60_000);
        int used = create(50);
        now.addAndGet(FetchSessionCache.EVICTION_MS - 59_000);
        cache.touch(cache.get(used), now.get());
        // old is idle 121 s, used 0 s: the least recently used, stale, goes even for a smaller session.
        int small = create(1);
        assertThat(small).isNotZero();
        assertThat(cache.get(old)).isNull();
        assertThat(cache.get(used)).isNotNull();
        assertThat(cache.evictions()).isEqualTo(1);
    }

    @Test
    void aBiggerSessionEvictsTheSmallestOneCreatedLongAgoButInUse() {
        int small = create(2);
        int other = create(10);
        // Both stay in use, and are older than the eviction time when last touched.
        for (int i = 0; i < 3; i++) {
            now.addAndGet(50_000);
            cache.touch(cache.get(small), now.get());
            cache.touch(cache.get(other), now.get());
        }
        assertThat(create(2)).as("as many partitions as the smallest: no eviction").isZero();
        int big = create(3);
        assertThat(big).isNotZero();
        assertThat(cache.get(small)).isNull();
        assertThat(cache.get(other)).isNotNull();
        assertThat(cache.totalPartitions()).isEqualTo(13);
    }

    @Test
    void aRecentlyCreatedSessionIsNotEvictedForABiggerOne() {
        create(1);
        create(1);
        now.addAndGet(1_000);
        assertThat(create(1000)).isZero();
    }

    @Test
    void removedSessionsLeaveTheIndexes() {
        int a = create(4);
        assertThat(cache.remove(a)).isNotNull();
        assertThat(cache.remove(a)).isNull();
        assertThat(cache.size()).isZero();
        assertThat(cache.totalPartitions()).isZero();
    }
}
