package io.korvet.config;

import java.util.Map;

/**
 * How the broker serves client connections: its network threads ({@code korvet.network.threads}, 0 for two per core:
 * they do the work of Kafka's network and I/O threads both, so Kafka's {@code num.network.threads} does not size them),
 * and with Kafka's keys the sockets' buffers ({@code socket.send.buffer.bytes}, {@code socket.receive.buffer.bytes},
 * -1 for the operating system's), the accept backlog ({@code socket.listen.backlog.size}) and how long an idle
 * connection stays open ({@code connections.max.idle.ms}), and how many connections it takes ({@link ConnectionCaps}).
 */
public record NetworkSettings(int threads, int sendBufferBytes, int receiveBufferBytes, int listenBacklog, long maxIdleMs,
                              ConnectionCaps caps) {

    /** Netty's own sizing, and Kafka's defaults for the rest: what a broker with no settings uses. */
    public static final NetworkSettings DEFAULTS = new NetworkSettings(0, -1, -1, 1024, 600_000, ConnectionCaps.NONE);

    static NetworkSettings from(Map<String, String> all) {
        String threads = all.get("korvet.network.threads").trim();
        return new NetworkSettings(
                threads.isEmpty() ? 0 : (int) KorvetConfig.parseLong("korvet.network.threads", threads, 1, 1024),
                buffer(all, "socket.send.buffer.bytes"),
                buffer(all, "socket.receive.buffer.bytes"),
                (int) KorvetConfig.parseLong("socket.listen.backlog.size", all.get("socket.listen.backlog.size"), 1, Integer.MAX_VALUE),
                KorvetConfig.parseLong("connections.max.idle.ms", all.get("connections.max.idle.ms"), -1, Long.MAX_VALUE),
                ConnectionCaps.from(all));
    }

    private static int buffer(Map<String, String> all, String key) {
        int v = (int) KorvetConfig.parseLong(key, all.get(key), -1, Integer.MAX_VALUE);
        if (v == 0) {
            throw new ConfigException(key + ": expected -1 (the operating system's) or a size in bytes, got 0");
        }
        return v;
    }
}
