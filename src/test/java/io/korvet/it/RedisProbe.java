package io.korvet.it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/** Reads the partition streams straight from Redis, to check what the broker wrote. */
public final class RedisProbe {

    /**
     * The records a partition stream holds, in either format: one per {@code record} entry, and per {@code batch}
     * entry the records from its base (or from the log start offset in the start key, when a DeleteRecords moved it
     * into that batch) to its last offset, the entry's ID.
     */
    private static final String COUNT_RECORDS = """
            local start = tonumber(redis.call('GET', KEYS[2]) or '0')
            local n = 0
            for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
              local last = tonumber(string.match(e[1], '^(%d+)'))
              if e[2][1] == 'base' then
                n = n + last - math.max(tonumber(e[2][2]), start) + 1
              else
                n = n + 1
              end
            end
            return n
            """;

    /** Transaction markers: batch entries whose flags hold 'c', record entries whose batch header has the control flag. */
    private static final String COUNT_MARKERS = """
            local n = 0
            for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
              local f = e[2]
              for i = 1, #f, 2 do
                if (f[i] == 'flags' and string.find(f[i + 1], 'c', 1, true))
                    or (f[i] == 'batch' and string.match(f[i + 1], ',(%d+)$')
                        and math.floor(tonumber(string.match(f[i + 1], ',(%d+)$')) / 2) % 2 == 1
                        and select(2, string.gsub(f[i + 1], ',', '')) == 5) then
                  n = n + 1
                end
              end
            end
            return n
            """;

    private RedisProbe() {
    }

    /** The transaction markers a partition stream holds, in either format. */
    public static long markers(KorvetCluster cluster, String topic, int partition) {
        RedisClient client = RedisClient.create(cluster.redis().uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            Long n = connection.sync().eval(COUNT_MARKERS, ScriptOutputType.INTEGER, cluster.namespace() + ":" + topic + ":" + partition);
            return n == null ? 0 : n;
        } finally {
            client.shutdown();
        }
    }

    /** The records in the stream holding a partition's log, {@code <namespace>:<topic>:<partition>}, in either format. */
    public static long streamLength(KorvetCluster cluster, String topic, int partition) {
        RedisClient client = RedisClient.create(cluster.redis().uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return records(connection.sync(), cluster.namespace() + ":" + topic + ":" + partition);
        } finally {
            client.shutdown();
        }
    }

    /** The records in the partition stream {@code key}, in either format. */
    public static long records(RedisCommands<String, String> redis, String key) {
        Long n = redis.eval(COUNT_RECORDS, ScriptOutputType.INTEGER, key, "{" + key + "}:start");
        return n == null ? 0 : n;
    }
}
