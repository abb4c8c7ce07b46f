package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewBatch;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.NewRecord;
import io.korvet.storage.PartitionState;
import io.korvet.storage.StorageException;
import io.korvet.storage.StoredRecord;
import io.korvet.storage.redis.RedisConnector;
import io.korvet.storage.redis.RedisKeys;
import io.korvet.storage.redis.RedisPartitionStore;
import io.korvet.storage.redis.RedisServerProcess;
import io.lettuce.core.Range;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The appends and the reads, on a real redis-server: every record shape, the entry layouts, the fences. */
class RedisPartitionStoreIT {

    static Path dir;
    static RedisServerProcess redis;
    static RedisConnector connector;
    static RedisPartitionStore store;
    /** Plain commands, as a Redis user types them. */
    static io.lettuce.core.RedisClient plainClient;
    static io.lettuce.core.api.async.RedisAsyncCommands<String, String> connectorStrings;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("korvet-store-it");
        redis = RedisServerProcess.start(dir);
        connector = new RedisConnector(redis.uri(), Duration.ofSeconds(5));
        store = new RedisPartitionStore(connector, new RedisKeys("st"), 1);
        store.preloadScripts().toCompletableFuture().get();
        plainClient = io.lettuce.core.RedisClient.create(redis.uri());
        connectorStrings = plainClient.connect().async();
    }

    @AfterAll
    static void stop() {
        plainClient.shutdown();
        connector.close();
        redis.stop();
    }

    /** The leader epoch this test's broker (node 1) claimed each partition at. */
    static final Map<TopicPartition, Integer> epochs = new ConcurrentHashMap<>();

    /** Claims the partition for node 1 at its first append, as a leader loads its state before appending. */
    static int epoch(TopicPartition tp) throws Exception {
        Integer epoch = epochs.get(tp);
        return epoch != null ? epoch : load(tp, 0).leaderEpoch();
    }

    static PartitionState load(TopicPartition tp, int scan) throws Exception {
        PartitionState state = store.loadState(tp, scan, epochs.getOrDefault(tp, -1)).toCompletableFuture().get();
        epochs.put(tp, state.leaderEpoch());
        return state;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyRecordShapeRoundTripsAndTheLayoutIsReadable() throws Exception {
        TopicPartition tp = new TopicPartition("shapes", 0);
        Header[] headers = {new RecordHeader("trace", b("abc")), new RecordHeader("none", null)};
        List<NewRecord> first = List.of(
                new NewRecord(1000, b("k0"), b("v0"), headers),
                new NewRecord(1001, null, b("v1"), null),
                new NewRecord(1002, b("k2"), b("v2"), null),
                new NewRecord(1003, b("k3"), null, null),
                new NewRecord(1004, null, null, headers),
                new NewRecord(1005, new byte[0], new byte[0], new Header[0]),
                new NewRecord(1006, null, null, null));
        BatchHeader h1 = new BatchHeader(12, (short) 3, 100, first.size(), BatchHeader.CREATE_TIME);
        store.append(tp, 0, epoch(tp), h1, first).toCompletableFuture().get();
        List<NewRecord> second = List.of(new NewRecord(2000, null, b("x"), null), new NewRecord(2001, b("y"), b("z"), null));
        BatchHeader h2 = new BatchHeader(-1, (short) -1, -1, 2, BatchHeader.LOG_APPEND_TIME);
        store.append(tp, 7, epoch(tp), h2, second).toCompletableFuture().get();

        List<StoredRecord> read = store.read(tp, 0, 100).toCompletableFuture().get();
        assertThat(read).hasSize(9);
        for (int i = 0; i < first.size(); i++) {
            StoredRecord r = read.get(i);
            NewRecord w = first.get(i);
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.timestamp()).isEqualTo(w.timestamp());
            assertThat(r.key()).isEqualTo(w.key());
            assertThat(r.value()).isEqualTo(w.value());
            assertThat(r.headers()).containsExactly(w.headers() == null ? new Header[0] : w.headers());
            assertThat(r.batch()).isEqualTo(i == 0 ? h1 : null);
        }
        assertThat(read.get(7).batch()).isEqualTo(h2);
        assertThat(read.get(8).key()).isEqualTo(b("y"));

        // The layout Redis users see: ID <offset>-1, readable field names, 'batch' on a batch's first entry.
        var raw = connector.async().xrange(b("st:shapes:0"), Range.create("2", "2")).get();
        assertThat(raw).hasSize(1);
        assertThat(raw.get(0).getId()).isEqualTo("2-1");
        assertThat(raw.get(0).getBody().keySet().stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList())
                .containsExactly("ts", "key", "value");
        var firstEntry = connector.async().xrange(b("st:shapes:0"), Range.create("0", "0")).get().get(0);
        assertThat(firstEntry.getBody().keySet().stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList())
                .containsExactly("ts", "key", "value", "headers", "batch");

        PartitionState state = load(tp, 100);
        assertThat(state.nextOffset()).isEqualTo(9);
        assertThat(state.logStartOffset()).isZero();
        assertThat(state.recentBatches()).extracting(PartitionState.RecentBatch::baseOffset).containsExactly(7L, 0L);
    }

    @Test
    void anAppendAtTheWrongOffsetIsFencedAndWritesNothing() throws Exception {
        TopicPartition tp = new TopicPartition("fenced", 0);
        BatchHeader h = new BatchHeader(-1, (short) -1, -1, 1, BatchHeader.CREATE_TIME);
        store.append(tp, 0, epoch(tp), h, List.of(new NewRecord(1, null, b("a"), null))).toCompletableFuture().get();
        for (long wrong : new long[] {0, 2, 5}) {
            assertThatThrownBy(() -> store.append(tp, wrong, epoch(tp), h, List.of(new NewRecord(1, null, b("b"), null)))
                    .toCompletableFuture().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(StorageException.Fenced.class);
        }
        assertThat(connector.async().xlen(b("st:fenced:0")).get()).isEqualTo(1);
        assertThat(store.read(tp, 0, 10).toCompletableFuture().get()).extracting(StoredRecord::value)
                .containsExactly(b("a"));
    }

    @Test
    void aLargeBatchAppendsInOneCall() throws Exception {
        TopicPartition tp = new TopicPartition("large", 0);
        List<NewRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            records.add(new NewRecord(i, (i % 3 == 0) ? null : b("k" + i), b("v" + i), null));
        }
        store.append(tp, 0, epoch(tp), new BatchHeader(1, (short) 0, 0, records.size(), BatchHeader.CREATE_TIME), records)
                .toCompletableFuture().get();
        List<StoredRecord> read = store.read(tp, 4990, 100).toCompletableFuture().get();
        assertThat(read).extracting(StoredRecord::offset).containsExactly(4990L, 4991L, 4992L, 4993L, 4994L, 4995L, 4996L, 4997L, 4998L, 4999L);
        assertThat(read.get(9).value()).isEqualTo(b("v4999"));
        assertThat(Map.of("xlen", connector.async().xlen(b("st:large:0")).get())).containsEntry("xlen", 5000L);
    }

    private static NewBatch batch(int count, String bytes) {
        return new NewBatch(new BatchHeader(-1, (short) -1, -1, count, BatchHeader.CREATE_TIME), 7, false, false,
                ByteBuffer.wrap(b(bytes)));
    }

    private static Object redisCall(String... args) throws Exception {
        var cmd = new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8);
        for (int i = 1; i < args.length; i++) {
            cmd.add(args[i]);
        }
        try {
            return connectorStrings.dispatch(io.lettuce.core.protocol.CommandType.valueOf(args[0]),
                    new io.lettuce.core.output.NestedMultiOutput<>(io.lettuce.core.codec.StringCodec.UTF8), cmd).get().get(0);
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
    }


    @Test
    void aBatchIsOneEntryAndAnAppendAtTheWrongOffsetIsFencedAndWritesNothing() throws Exception {
        TopicPartition tp = new TopicPartition("batches", 0);
        store.appendBatch(tp, 0, epoch(tp), batch(3, "first batch")).toCompletableFuture().get();
        store.appendBatch(tp, 3, epoch(tp), batch(2, "second")).toCompletableFuture().get();
        for (long wrong : new long[] {0, 3, 4, 9}) {
            assertThatThrownBy(() -> store.appendBatch(tp, wrong, epoch(tp), batch(1, "stale")).toCompletableFuture().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(StorageException.Fenced.class)
                    .hasMessageContaining("5");
        }
        StoredBatches read = store.readBatches(tp, 0, 10).toCompletableFuture().get();
        assertThat(read.count()).isEqualTo(2);
        assertThat(read.baseOffset(1)).isEqualTo(3);
        assertThat(read.lastOffset(1)).isEqualTo(4);
        byte[] data = new byte[read.buffer().remaining()];
        read.buffer().get(data);
        assertThat(new String(data, StandardCharsets.UTF_8)).isEqualTo("first batchsecond");
        assertThat(redisCall("XLEN", "st:batches:0")).isEqualTo(2L);
        assertThat(redisCall("GET", "{st:batches:0}:next")).isEqualTo("5");
        assertThat(redisCall("EXISTS", "{st:batches:0}:appending")).isEqualTo(0L);
        assertThat(load(tp, 10).nextOffset()).isEqualTo(5);
    }

    @Test
    void theTailOfAnAppendSentWithoutItsMultiWritesNothing() throws Exception {
        // After a reconnect Lettuce may send again what Redis had not answered: the XADD and RENAME alone.
        TopicPartition tp = new TopicPartition("tail", 0);
        store.appendBatch(tp, 0, epoch(tp), batch(1, "one")).toCompletableFuture().get();
        assertThat(redisCall("XADD", "{st:tail:0}:appending", "NOMKSTREAM", "1-1", "base", "1", "data", "x")).isNull();
        assertThat(String.valueOf(redisCall("RENAME", "{st:tail:0}:appending", "st:tail:0"))).contains("no such key");
        assertThat(redisCall("XLEN", "st:tail:0")).isEqualTo(1L);
        store.appendBatch(tp, 1, epoch(tp), batch(1, "two")).toCompletableFuture().get();
        assertThat(redisCall("XLEN", "st:tail:0")).isEqualTo(2L);
    }

    @Test
    void aStreamAheadOfItsNextKeyFencesAndLoadingStateRepairsBoth() throws Exception {
        TopicPartition tp = new TopicPartition("repair", 0);
        store.appendBatch(tp, 0, epoch(tp), batch(2, "ab")).toCompletableFuture().get();
        // Written past the next key by something else than Korvet.
        redisCall("XADD", "st:repair:0", "2-1", "base", "2", "count", "1", "maxts", "7", "pid", "-1", "epoch", "-1", "seq", "-1",
                "flags", "", "data", "c");
        assertThatThrownBy(() -> store.appendBatch(tp, 2, epoch(tp), batch(1, "late")).toCompletableFuture().get())
                .hasCauseInstanceOf(StorageException.Fenced.class);
        assertThat(redisCall("XLEN", "st:repair:0")).isEqualTo(2L);
        // A stream left at its appending key by an append interrupted out of its transaction.
        redisCall("RENAME", "st:repair:0", "{st:repair:0}:appending");
        PartitionState state = load(tp, 10);
        assertThat(state.nextOffset()).isEqualTo(3);
        assertThat(redisCall("XLEN", "st:repair:0")).isEqualTo(2L);
        assertThat(redisCall("GET", "{st:repair:0}:next")).isEqualTo("3");
        store.appendBatch(tp, 3, epoch(tp), batch(1, "d")).toCompletableFuture().get();
        assertThat(redisCall("XLEN", "st:repair:0")).isEqualTo(3L);
    }

    @Test
    void deletingAPartitionRemovesItsCompanionKeys() throws Exception {
        TopicPartition tp = new TopicPartition("gone", 0);
        store.appendBatch(tp, 0, epoch(tp), batch(1, "x")).toCompletableFuture().get();
        store.delete(tp).toCompletableFuture().get();
        assertThat(redisCall("EXISTS", "st:gone:0", "{st:gone:0}:next", "{st:gone:0}:appending", "{st:gone:0}:start",
                "{st:gone:0}:leader", "{st:gone:0}:epochs")).isEqualTo(0L);
        epochs.remove(tp);
    }

    @Test
    void aClaimByAnotherBrokerFencesTheAppendsOfTheFormerLeaderInBothFormats() throws Exception {
        RedisPartitionStore other = new RedisPartitionStore(connector, new RedisKeys("st"), 2);
        TopicPartition tp = new TopicPartition("moved", 0);
        store.appendBatch(tp, 0, epoch(tp), batch(2, "ab")).toCompletableFuture().get();
        int before = epoch(tp);
        PartitionState claimed = other.loadState(tp, 10, -1).toCompletableFuture().get();
        assertThat(claimed.leaderEpoch()).isEqualTo(before + 1);
        assertThat(claimed.nextOffset()).isEqualTo(2);
        assertThat(claimed.epochStarts()).containsEntry(before + 1, 2L);
        assertThat(redisCall("GET", "{st:moved:0}:leader")).isEqualTo((before + 1) + " 2");
        assertThatThrownBy(() -> store.appendBatch(tp, 2, before, batch(1, "stale")).toCompletableFuture().get())
                .hasCauseInstanceOf(StorageException.LeaderMoved.class);
        assertThatThrownBy(() -> store.append(tp, 2, before, new BatchHeader(-1, (short) -1, -1, 1, BatchHeader.CREATE_TIME),
                List.of(new NewRecord(1, null, b("stale"), null))).toCompletableFuture().get())
                .hasCauseInstanceOf(StorageException.LeaderMoved.class);
        assertThat(redisCall("XLEN", "st:moved:0")).isEqualTo(1L);
        other.appendBatch(tp, 2, before + 1, batch(1, "c")).toCompletableFuture().get();
        // Loading again while holding the claim keeps the epoch.
        assertThat(other.loadState(tp, 10, before + 1).toCompletableFuture().get().leaderEpoch()).isEqualTo(before + 1);
        assertThat(redisCall("XLEN", "st:moved:0")).isEqualTo(2L);
    }
}
