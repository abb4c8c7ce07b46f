package io.korvet.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka's own command-line tools (kafka-tools and kafka_2.13 4.3.1, resolved from Maven Central
 * through {@code bench/pom.xml}), each run unchanged in a JVM of its own, as {@code kafka-topics.sh}
 * and friends run them.
 */
final class KafkaTools {

    static final String TOPICS = "org.apache.kafka.tools.TopicCommand";
    static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
    static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
    static final String CONSUMER_GROUPS = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    static final String CONFIGS = "kafka.admin.ConfigCommand";
    static final String GET_OFFSETS = "org.apache.kafka.tools.GetOffsetShell";
    static final String DELETE_RECORDS = "org.apache.kafka.tools.DeleteRecordsCommand";
    static final String LOG_DIRS = "org.apache.kafka.tools.LogDirsCommand";
    static final String FEATURES = "org.apache.kafka.tools.FeatureCommand";
    static final String LEADER_ELECTION = "org.apache.kafka.tools.LeaderElectionCommand";
    static final String CLIENT_METRICS = "org.apache.kafka.tools.ClientMetricsCommand";
    static final String REASSIGN = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";

    /** What a tool printed (stdout and stderr together) and its exit code. */
    record Result(int exitCode, String output) {
    }

    private static String classpath;

    private KafkaTools() {
    }

    static Result run(String mainClass, String... args) throws IOException, InterruptedException {
        return runWithInput(null, mainClass, args);
    }

    static Result runWithInput(String stdin, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kafka-tool", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(mainClass + " " + String.join(" ", args) + " did not finish: " + Files.readString(out));
        }
        String text = Files.readString(out);
        Files.deleteIfExists(out);
        return new Result(p.exitValue(), text);
    }

    /** Resolves the tools' classpath once (a nested Maven run; CI reaches Maven Central). */
    static synchronized String classpath() throws IOException, InterruptedException {
        if (classpath != null) {
            return classpath;
        }
        Path pom = Path.of("bench", "pom.xml").toAbsolutePath();
        Path file = Path.of("target", "kafka-tools-classpath.txt").toAbsolutePath();
        if (!Files.exists(file) || Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(pom)) < 0) {
            Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-f", pom.toString(), "dependency:build-classpath",
                    "-Dmdep.outputFile=" + file).redirectErrorStream(true).start();
            String log = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!mvn.waitFor(600, TimeUnit.SECONDS) || mvn.exitValue() != 0) {
                throw new IOException("could not resolve Kafka's tools with " + pom + ":\n" + log);
            }
        }
        classpath = Files.readString(file).trim();
        return classpath;
    }

    /** Starts a Kafka main class in a JVM of its own, its output going to {@code log}; the caller stops it. */
    static Process start(Path log, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx384m", "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
