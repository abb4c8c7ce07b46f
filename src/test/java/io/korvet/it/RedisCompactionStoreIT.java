package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.CompactionStore;
import io.korvet.storage.NewRecord;
import io.korvet.storage.StorageException;
import io.korvet.storage.StoredRecord;
import io.korvet.storage.redis.RedisCompactionStore;
import io.korvet.storage.redis.RedisConnector;
import io.korvet.storage.redis.RedisKeys;
import io.korvet.storage.redis.RedisPartitionStore;
import io.korvet.storage.redis.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compaction steps on a real redis-server: a copy that leaves entries out, a swap that also takes what was
 * appended meanwhile and keeps the next offset, and the fences (another leader, an append cut in half).
 */
class RedisCompactionStoreIT {

    static Path dir;
    static RedisServerProcess redis;
    static RedisConnector connector;
    static RedisPartitionStore store;
    static RedisCompactionStore compaction;
    static io.lettuce.core.RedisClient plainClient;
    static io.lettuce.core.api.sync.RedisCommands<String, String> plain;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("korvet-compaction-it");
        redis = RedisServerProcess.start(dir);
        connector = new RedisConnector(redis.uri(), Duration.ofSeconds(5));
        store = new RedisPartitionStore(connector, new RedisKeys("cs"), 1);
        compaction = new RedisCompactionStore(connector, new RedisKeys("cs"), 1);
        store.preloadScripts().toCompletableFuture().get();
        plainClient = io.lettuce.core.RedisClient.create(redis.uri());
        plain = plainClient.connect().sync();
    }

    @AfterAll
    static void stop() {
        plainClient.shutdown();
        connector.close();
        redis.stop();
    }

    static <T> T get(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    /** Claims the partition and appends {@code n} one-record batches with key k(i % 2); returns the leader epoch. */
    static int fill(TopicPartition tp, int n) throws Exception {
        int epoch = get(store.loadState(tp, 0, -1)).leaderEpoch();
        for (int i = 0; i < n; i++) {
            append(tp, epoch, i);
        }
        return epoch;
    }

    static void append(TopicPartition tp, int epoch, long offset) throws Exception {
        get(store.append(tp, offset, epoch, new BatchHeader(-1, (short) -1, -1, 1, BatchHeader.CREATE_TIME),
                List.of(new NewRecord(1000 + offset, b("k" + offset % 2), b("v" + offset), null))));
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<Long> offsets(TopicPartition tp) throws Exception {
        return get(store.read(tp, 0, 1000)).stream().map(StoredRecord::offset).toList();
    }

    @Test
    void aCopyLeavesEntriesOutAndTheSwapTakesWhatWasAppendedMeanwhile() throws Exception {
        TopicPartition tp = new TopicPartition("swap", 0);
        int epoch = fill(tp, 6);
        get(compaction.copy(tp, epoch, -1, 3, Integer.MAX_VALUE, Long.MAX_VALUE, new long[] {1, 2}, List.of()));
        CompactionStore.CopyStep rest = get(compaction.copy(tp, epoch, 3, Long.MAX_VALUE, 100, 1 << 20, new long[0], List.of()));
        assertThat(rest.lastOffset()).isEqualTo(5);
        append(tp, epoch, 6);
        append(tp, epoch, 7);

        assertThat(get(compaction.swap(tp, epoch, 5, 1, 1 << 20, Map.of()))).as("two appended, one allowed")
                .isEqualTo(CompactionStore.Swap.BEHIND);
        assertThat(get(compaction.swap(tp, epoch, 5, 10, 1 << 20, Map.of("cleaned", "4")))).isEqualTo(CompactionStore.Swap.DONE);

        assertThat(offsets(tp)).containsExactly(0L, 3L, 4L, 5L, 6L, 7L);
        assertThat(get(compaction.checkpoint(tp))).containsEntry("cleaned", "4");
        assertThat(get(store.offsets(tp))).containsExactly(0, 8);
        append(tp, epoch, 8);
        assertThat(offsets(tp)).endsWith(8L);
    }

    @Test
    void aCopyWithoutTheLastEntryIsRefused() throws Exception {
        // The next offset is computed from the stream's last entry: a copy must keep it (the cleaner always does).
        TopicPartition tp = new TopicPartition("last", 0);
        int epoch = fill(tp, 4);
        get(compaction.copy(tp, epoch, -1, 3, Integer.MAX_VALUE, Long.MAX_VALUE, new long[] {2, 3}, List.of()));
        assertThat(get(compaction.swap(tp, epoch, 3, 10, 1 << 20, Map.of()))).isEqualTo(CompactionStore.Swap.GONE);

        assertThat(offsets(tp)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(plain.exists("{cs:last:0}:compacting")).isZero();
    }

    @Test
    void anotherLeaderFencesEveryStep() throws Exception {
        TopicPartition tp = new TopicPartition("fenced", 0);
        int epoch = fill(tp, 4);
        get(compaction.copy(tp, epoch, -1, 3, Integer.MAX_VALUE, Long.MAX_VALUE, new long[] {0}, List.of()));
        // Another broker claims the partition.
        RedisPartitionStore other = new RedisPartitionStore(connector, new RedisKeys("cs"), 2);
        get(other.loadState(tp, 0, -1));

        assertThatThrownBy(() -> get(compaction.copy(tp, epoch, 3, Long.MAX_VALUE, 10, 1 << 20, new long[0], List.of())))
                .isInstanceOf(StorageException.LeaderMoved.class);
        assertThatThrownBy(() -> get(compaction.swap(tp, epoch, 3, 10, 1 << 20, Map.of())))
                .isInstanceOf(StorageException.LeaderMoved.class);
        assertThatThrownBy(() -> get(compaction.saveCheckpoint(tp, epoch, Map.of("cleaned", "9"))))
                .isInstanceOf(StorageException.LeaderMoved.class);
        assertThat(offsets(tp)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(get(compaction.checkpoint(tp))).isEmpty();
    }

    @Test
    void anAppendCutInHalfHoldsTheSwapBack() throws Exception {
        TopicPartition tp = new TopicPartition("cut", 0);
        int epoch = fill(tp, 3);
        get(compaction.copy(tp, epoch, -1, 2, Integer.MAX_VALUE, Long.MAX_VALUE, new long[] {0}, List.of()));
        // A batch append interrupted after its fence moved the stream to the appending key (see append_fence.lua).
        plain.rename("cs:cut:0", "{cs:cut:0}:appending");

        assertThat(get(compaction.swap(tp, epoch, 2, 10, 1 << 20, Map.of()))).isEqualTo(CompactionStore.Swap.BUSY);
        plain.rename("{cs:cut:0}:appending", "cs:cut:0");
        assertThat(offsets(tp)).containsExactly(0L, 1L, 2L);
    }
}
