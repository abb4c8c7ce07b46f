package io.korvet.storage.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * A {@code redis-server} process of the broker's own, on loopback, with append-only persistence in a
 * data directory so that a restart finds the data again. Uses the {@code redis-server} on the PATH when
 * there is one, else the binary bundled by embedded-redis.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisServerProcess.class);

    private final Path executable;
    private final Path dataDir;
    private final int port;
    private final List<String> extraArgs;
    private Process process;

    private RedisServerProcess(Path executable, Path dataDir, int port, List<String> extraArgs) {
        this.executable = executable;
        this.dataDir = dataDir;
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a server keeping its data in {@code dataDir}, on a free loopback port. */
    public static RedisServerProcess start(Path dataDir) throws IOException {
        return start(dataDir, freePort());
    }

    public static RedisServerProcess start(Path dataDir, int port) throws IOException {
        RedisServerProcess server = new RedisServerProcess(findExecutable(), dataDir.toAbsolutePath(), port, List.of());
        server.start();
        return server;
    }

    /** Starts a server on a free loopback port with extra redis-server arguments (TLS, ACL users...). */
    public static RedisServerProcess startWith(Path dataDir, List<String> extraArgs) throws IOException {
        RedisServerProcess server = new RedisServerProcess(findExecutable(), dataDir.toAbsolutePath(), freePort(), extraArgs);
        server.start();
        return server;
    }

    /**
     * Starts a node for a Redis Cluster (not yet part of one: {@code redis-cli --cluster create} joins nodes), its
     * cluster state in {@code nodes.conf} beside its data, with a node timeout of 2 s so that failovers are quick.
     */
    public static RedisServerProcess startClusterNode(Path dataDir) throws IOException {
        RedisServerProcess server = new RedisServerProcess(findExecutable(), dataDir.toAbsolutePath(), freeClusterPort(),
                List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"));
        server.start();
        return server;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public Path executable() {
        return executable;
    }

    /** The server's process id (tests pause it with SIGSTOP to play a stalled Redis). */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("redis-server is not running");
        }
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts (or starts again, on the same port and data) the server, and waits until it answers PING. */
    public synchronized void start() throws IOException {
        if (isRunning()) {
            return;
        }
        Files.createDirectories(dataDir);
        List<String> cmd = new ArrayList<>(List.of(executable.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--dir", dataDir.toString(),
                "--appendonly", "yes",
                "--appendfsync", "everysec",
                "--save", "",
                // A batch entry (up to 16 KiB by default) fills the default 4 KiB node alone: its listpack's
                // allocation rounds up by 12% on average. Nodes of several batches waste less (2,000 entries of
                // 16 KB: 1.12 -> 1.02x the batch bytes, XADD 23 -> 18 us). 768 KiB rather than 128 KiB: a
                // 64 KiB batch (batch.size=65536) is just over half of 128 KiB, so it had a node of its own,
                // rounded up by jemalloc to 80 KiB (1.25x); 768 KiB nodes hold eleven (1.001x), and 16 KiB
                // batches append no slower (12,000 XADDs of 16.3 KB, 3 rounds: 33-34 us of redis-server CPU
                // each, against 37-68 us with 128 KiB nodes).
                "--stream-node-max-bytes", "786432",
                // An AOF rewrite LZF-compresses every string it writes: 40% of redis-server's CPU under load, for
                // batches that are compressed already or were not meant to be.
                "--rdbcompression", "no",
                "--daemonize", "no",
                "--logfile", dataDir.resolve("redis.log").toString()));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        HugePages.apply(executable, cmd, builder.environment());
        cmd.addAll(extraArgs);
        process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ping()) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with code " + process.exitValue()
                        + "; see " + dataDir.resolve("redis.log"));
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException("redis-server did not answer PING within 30 s on port " + port);
            }
            sleep(20);
        }
        log.debug("redis-server {} started on port {} with data in {}", executable, port, dataDir);
    }

    /** Stops the server gracefully (it flushes its append-only file), killing it if it does not exit. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    static Path findExecutable() throws IOException {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        File bundled = ExecutableProvider.newJarResourceProvider().get();
        if (!bundled.canExecute() && !bundled.setExecutable(true)) {
            throw new IOException("cannot make the bundled redis-server executable: " + bundled);
        }
        return bundled.toPath();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * A free loopback port whose cluster bus port (the port + 10000, which a cluster node also binds) is a port too
     * and free: an ephemeral port above 55535 has none.
     */
    static int freeClusterPort() throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = freePort();
            if (port + 10_000 <= 65_535) {
                try (ServerSocket bus = new ServerSocket(port + 10_000, 1, java.net.InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // Try another.
                }
            }
        }
        throw new IOException("no free port with a free cluster bus port");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
