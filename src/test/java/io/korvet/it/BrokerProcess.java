package io.korvet.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runnable jar ({@code target/korvet.jar}) as a child process, so that a test can kill the broker for
 * real: SIGKILL leaves no shutdown hook, no graceful close, no flushed response, as a crash or an OOM killer
 * would. Settings are passed as {@code --override} flags; every start writes its output to a file of its own.
 */
final class BrokerProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "korvet.jar");

    private final Path dir;
    private final Map<String, String> settings;
    private final List<Path> outputs = new ArrayList<>();
    private Process process;

    BrokerProcess(Path dir, Map<String, String> settings) {
        this.dir = dir;
        this.settings = Map.copyOf(settings);
    }

    /** Starts the broker and waits (bounded) for its start-up line; returns that line. */
    synchronized String start() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker is already running");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", JAR.toAbsolutePath().toString()));
        String format = KorvetCluster.streamFormat();
        if (format != null && !settings.containsKey("korvet.stream.format")) {
            cmd.addAll(List.of("--override", "korvet.stream.format=" + format));
        }
        settings.forEach((k, v) -> cmd.addAll(List.of("--override", k + "=" + v)));
        Path out = dir.resolve("broker-" + outputs.size() + ".log");
        outputs.add(out);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KORVET_"));
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(out)) {
                if (line.contains("Korvet started")) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the broker exited with " + process.exitValue() + ": " + Files.readString(out));
            }
            Thread.sleep(50);
        }
        kill();
        throw new AssertionError("no start-up line within 60 s: " + Files.readString(out));
    }

    /** How many times the broker was started. */
    synchronized int starts() {
        return outputs.size();
    }

    /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux), then waits for the process to be gone. */
    synchronized void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the broker survived SIGKILL for 30 s");
        }
    }

    synchronized long pid() {
        return process.pid();
    }

    /** Everything every start of the broker printed so far, in order. */
    String output() throws IOException {
        StringBuilder all = new StringBuilder();
        for (Path p : outputs) {
            all.append(Files.readString(p));
        }
        return all.toString();
    }

    /** The lines of {@link #output()} that contain every one of {@code parts}. */
    List<String> lines(String... parts) throws IOException {
        return output().lines().filter(l -> {
            for (String part : parts) {
                if (!l.contains(part)) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
