package io.korvet.storage.redis;

import io.korvet.StartupException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's own Redis when none is configured: takes the data directory's lock first, then stops a
 * redis-server that a broker which did not stop cleanly left running on that directory, starts a new one,
 * and writes its port ({@code redis.port}) and process id ({@code redis.pid}) into the directory, so that
 * {@code redis-cli -p $(cat korvet-data/redis.port)} reaches it.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
    static final String PORT_FILE = "redis.port";
    static final String PID_FILE = "redis.pid";

    private final Path dir;
    private final DataDirLock lock;
    private RedisServerProcess server;

    private EmbeddedRedis(Path dir, DataDirLock lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code dataDir}: the first step of start-up, before anything else is started.
     *
     * @throws StartupException when another broker holds the directory
     */
    public static EmbeddedRedis lock(Path dataDir) throws IOException, StartupException {
        Path dir = dataDir.toAbsolutePath();
        return new EmbeddedRedis(dir, DataDirLock.acquire(dir));
    }

    /**
     * Starts redis-server on {@code port} (0: a free loopback port) and waits until it answers.
     *
     * @throws StartupException when the port is taken
     */
    public synchronized void start(int port) throws IOException, StartupException {
        stopLeftover(dir);
        int chosen = port == 0 ? RedisServerProcess.freePort() : requireFree(port);
        server = RedisServerProcess.start(dir, chosen);
        Files.writeString(dir.resolve(PORT_FILE), chosen + "\n", StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve(PID_FILE), server.pid() + "\n", StandardCharsets.US_ASCII);
    }

    public String uri() {
        return server.uri();
    }

    public Path executable() {
        return server.executable();
    }

    /** Stops the server (it flushes its append-only file), removes the port and pid files, and releases the lock. */
    @Override
    public synchronized void close() throws IOException {
        try {
            if (server != null) {
                server.stop();
                server = null;
                Files.deleteIfExists(dir.resolve(PORT_FILE));
                Files.deleteIfExists(dir.resolve(PID_FILE));
            }
        } finally {
            lock.close();
        }
    }

    /**
     * A broker killed with SIGKILL leaves its redis-server running on the directory. Holding the lock, nothing
     * else may use that server: it is stopped (SIGTERM, so it flushes its append-only file) before a new one
     * starts, so that two servers never write the same files.
     */
    private static void stopLeftover(Path dir) throws IOException {
        Path pidFile = dir.resolve(PID_FILE);
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> leftover;
        try {
            leftover = ProcessHandle.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            leftover = Optional.empty();
        }
        Optional<ProcessHandle> redis = leftover.filter(ProcessHandle::isAlive)
                .filter(EmbeddedRedis::isRedisServer);
        if (redis.isPresent()) {
            ProcessHandle p = redis.get();
            log.warn("Stopping redis-server (pid {}) left running on {} by a broker that did not stop cleanly", p.pid(), dir);
            p.destroy();
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping redis-server pid " + p.pid(), e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
            }
        }
        Files.deleteIfExists(pidFile);
    }

    /**
     * Whether the process is a redis-server: by its command line, which Redis keeps naming {@code redis-server}
     * when it sets its process title, or by its executable (Debian's {@code redis-server} is a link to
     * {@code redis-check-rdb}).
     */
    private static boolean isRedisServer(ProcessHandle p) {
        ProcessHandle.Info info = p.info();
        return info.commandLine().map(c -> c.contains("redis-server")).orElse(false)
                || info.command().map(c -> c.contains("redis")).orElse(false);
    }

    private static int requireFree(int port) throws StartupException {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return port;
        } catch (IOException e) {
            throw new StartupException("the embedded Redis's port 127.0.0.1:" + port
                    + " is already in use (korvet.embedded.redis.port)");
        }
    }
}
