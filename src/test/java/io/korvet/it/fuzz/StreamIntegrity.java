package io.korvet.it.fuzz;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads every partition stream of a namespace straight from Redis (SCAN, then XRANGE in chunks) and checks
 * that no produce batch is partly written: each batch's first entry carries the {@code batch} field whose
 * record count says how many entries the batch has, and exactly that many entries, without a {@code batch}
 * field of their own, follow it; offsets are dense (one entry per offset, IDs {@code <offset>-1}). Entries
 * before the first batch field are allowed only in a stream whose start was trimmed. A {@code batch}-format entry
 * (fields {@code base}, {@code count}, ..., {@code data}) is one whole batch: its ID is its last offset, its base
 * follows the previous entry's last offset, and its {@code data} is a valid v2 batch with those offsets.
 */
public final class StreamIntegrity {

    private static final byte[] BATCH = "batch".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BASE = "base".getBytes(StandardCharsets.UTF_8);
    private static final byte[] COUNT = "count".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DATA = "data".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_PROBLEMS = 50;

    public record Report(int keys, int streams, long entries, long batches, List<String> problems) {
    }

    private StreamIntegrity() {
    }

    public static Report check(String redisUri, String namespace) {
        RedisClient client = RedisClient.create(redisUri);
        client.setDefaultTimeout(Duration.ofSeconds(30));
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            RedisCommands<byte[], byte[]> redis = connection.sync();
            List<String> problems = new ArrayList<>();
            int keys = 0;
            int streams = 0;
            long entries = 0;
            long batches = 0;
            ScanArgs args = ScanArgs.Builder.matches(namespace + ":*").limit(1000);
            ScanCursor cursor = ScanCursor.INITIAL;
            for (int rounds = 0; rounds < 1_000_000; rounds++) {
                KeyScanCursor<byte[]> page = redis.scan(cursor, args);
                for (byte[] key : page.getKeys()) {
                    keys++;
                    String name = new String(key, StandardCharsets.UTF_8);
                    if (!"stream".equals(redis.type(key))) {
                        continue;
                    }
                    streams++;
                    String[] parts = name.split(":", -1);
                    if (parts.length != 3 || !parts[2].matches("[0-9]+")) {
                        problem(problems, name + ": a stream whose key is not <namespace>:<topic>:<partition>");
                    }
                    long[] counts = checkStream(redis, key, name, problems);
                    entries += counts[0];
                    batches += counts[1];
                }
                if (page.isFinished()) {
                    break;
                }
                cursor = page;
            }
            return new Report(keys, streams, entries, batches, problems);
        } finally {
            client.shutdown();
        }
    }

    /** Returns {entries, batches}. */
    private static long[] checkStream(RedisCommands<byte[], byte[]> redis, byte[] key, String name, List<String> problems) {
        long entries = 0;
        long batches = 0;
        long previous = -1;
        long owed = 0;
        long batchStart = -1;
        boolean seenBatch = false;
        long firstOffset = -1;
        Range.Boundary<String> from = Range.Boundary.unbounded();
        for (int chunk = 0; chunk < 100_000; chunk++) {
            List<StreamMessage<byte[], byte[]>> page = redis.xrange(key, Range.from(from, Range.Boundary.unbounded()), Limit.from(1000));
            for (StreamMessage<byte[], byte[]> m : page) {
                entries++;
                String id = m.getId();
                int dash = id.indexOf('-');
                long offset = Long.parseLong(id.substring(0, dash));
                if (!id.substring(dash + 1).equals("1")) {
                    problem(problems, name + ": entry " + id + " is not <offset>-1");
                }
                boolean stored = field(m.getBody(), BASE) != null;
                if (firstOffset < 0) {
                    firstOffset = offset;
                } else if (!stored && offset != previous + 1) {
                    problem(problems, name + ": offset " + offset + " follows " + previous + " (offsets not dense)");
                }
                byte[] base = field(m.getBody(), BASE);
                if (base != null) {
                    long first = Long.parseLong(new String(base, StandardCharsets.US_ASCII));
                    if (firstOffset == offset) {
                        firstOffset = first;
                    } else if (first != previous + 1) {
                        problem(problems, name + ": batch at " + first + " follows " + previous + " (offsets not dense)");
                    }
                    checkStoredBatch(m.getBody(), name, first, offset, problems);
                    batches++;
                    previous = offset;
                    continue;
                }
                previous = offset;
                byte[] batchField = field(m.getBody(), BATCH);
                if (batchField != null) {
                    if (owed > 0) {
                        problem(problems, name + ": batch at " + batchStart + " is missing " + owed + " entries (next batch at " + offset + ")");
                    }
                    String[] facts = new String(batchField, StandardCharsets.US_ASCII).split(",");
                    int count = facts.length == 5 ? Integer.parseInt(facts[3]) : -1;
                    if (count < 1) {
                        problem(problems, name + ": batch at " + offset + " has malformed facts '" + new String(batchField, StandardCharsets.US_ASCII) + "'");
                        count = 1;
                    }
                    batches++;
                    seenBatch = true;
                    batchStart = offset;
                    owed = count - 1L;
                } else if (owed > 0) {
                    owed--;
                } else if (seenBatch || firstOffset == 0) {
                    problem(problems, name + ": entry " + offset + " belongs to no batch");
                }
            }
            if (page.size() < 1000) {
                break;
            }
            from = Range.Boundary.excluding(page.get(page.size() - 1).getId());
        }
        if (owed > 0) {
            problem(problems, name + ": last batch at " + batchStart + " is missing " + owed + " entries");
        }
        return new long[] {entries, batches};
    }

    /** A batch entry's count and data agree with its ID and base: the batch Fetch would send is whole and valid. */
    private static void checkStoredBatch(Map<byte[], byte[]> body, String name, long base, long last, List<String> problems) {
        byte[] count = field(body, COUNT);
        byte[] data = field(body, DATA);
        if (count == null || data == null) {
            problem(problems, name + ": batch entry " + last + " lacks count or data");
            return;
        }
        long declared = Long.parseLong(new String(count, StandardCharsets.US_ASCII));
        if (last - base + 1 != declared) {
            problem(problems, name + ": batch entry " + last + " from " + base + " says it holds " + declared + " records");
        }
        try {
            var batches = org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(java.nio.ByteBuffer.wrap(data))
                    .batches().iterator();
            var batch = batches.next();
            if (batches.hasNext() || !batch.isValid() || batch.baseOffset() != base || batch.lastOffset() != last) {
                problem(problems, name + ": batch entry " + last + " holds a batch of offsets " + batch.baseOffset() + " to "
                        + batch.lastOffset() + (batch.isValid() ? "" : " with a bad CRC"));
            }
        } catch (RuntimeException e) {
            problem(problems, name + ": batch entry " + last + " holds no readable batch: " + e);
        }
    }

    private static byte[] field(Map<byte[], byte[]> body, byte[] name) {
        for (Map.Entry<byte[], byte[]> e : body.entrySet()) {
            if (Arrays.equals(e.getKey(), name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static void problem(List<String> problems, String p) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(p);
        }
    }
}
