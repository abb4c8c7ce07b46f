package io.korvet.storage.redis;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the Redis in use keeps its data, read once at start-up for the start-up line: what an acknowledged
 * record survives depends on it (see the README).
 *
 * @param aof whether the append-only file is on
 * @param appendfsync its fsync policy, or "unknown" when CONFIG is not allowed (managed Redis)
 * @param rdb whether RDB snapshots are configured ({@code save} not empty), or null when unknown
 * @param replicas replicas connected now
 */
public record RedisDurability(boolean aof, String appendfsync, Boolean rdb, int replicas) {

    /** Reads the persistence settings; CONFIG GET may be refused, INFO never is. */
    public static RedisDurability read(RedisConnector redis) throws Exception {
        var async = redis.async();
        String persistence = async.info("persistence").get(10, TimeUnit.SECONDS);
        String replication = async.info("replication").get(10, TimeUnit.SECONDS);
        String fsync = "unknown";
        Boolean rdb = null;
        try {
            Map<String, String> config = async.configGet("appendfsync").get(10, TimeUnit.SECONDS);
            fsync = config.getOrDefault("appendfsync", "unknown");
            Map<String, String> save = async.configGet("save").get(10, TimeUnit.SECONDS);
            rdb = !save.getOrDefault("save", "").isBlank();
        } catch (Exception refused) {
            // CONFIG is often renamed or disabled on managed Redis: report what INFO tells.
        }
        return new RedisDurability("1".equals(field(persistence, "aof_enabled")), fsync, rdb,
                Integer.parseInt(field(replication, "connected_slaves", "0")));
    }

    static String field(String info, String name) {
        return field(info, name, null);
    }

    static String field(String info, String name, String otherwise) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return otherwise;
    }

    /** Whether a Redis restart loses everything acknowledged. */
    public boolean volatileData() {
        return !aof && Boolean.FALSE.equals(rdb);
    }

    @Override
    public String toString() {
        String disk = aof ? "AOF appendfsync " + appendfsync : "no AOF";
        if (rdb != null) {
            disk += rdb ? ", RDB snapshots" : ", no RDB";
        }
        return disk + ", " + replicas + (replicas == 1 ? " replica" : " replicas");
    }
}
