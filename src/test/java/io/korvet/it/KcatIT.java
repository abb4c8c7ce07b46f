package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** kcat (librdkafka) lists metadata, produces and consumes against Korvet. .ci/run installs kcat. */
class KcatIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(kcatInstalled(), "kcat is not installed (.ci/run installs it)");
        cluster = KorvetCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void kcatProducesListsAndConsumes() throws Exception {
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            input.append("key").append(i).append(':').append("value ").append(i).append('\n');
        }
        String produced = run(input.toString(), "-b", cluster.bootstrap(), "-P", "-t", "kcat-topic", "-K:");
        assertThat(produced).doesNotContain("ERROR");

        String metadata = run("", "-b", cluster.bootstrap(), "-L", "-t", "kcat-topic");
        assertThat(metadata).contains("topic \"kcat-topic\" with 1 partitions").contains("leader 0");

        String consumed = run("", "-b", cluster.bootstrap(), "-C", "-t", "kcat-topic", "-e", "-f", "%p|%o|%k|%s\\n");
        List<String> lines = consumed.lines().filter(l -> !l.startsWith("%")).toList();
        assertThat(lines).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(lines.get(i)).isEqualTo("0|" + i + "|key" + i + "|value " + i);
        }

        String tail = run("", "-b", cluster.bootstrap(), "-C", "-t", "kcat-topic", "-o", "-2", "-e", "-f", "%o:%s\\n");
        assertThat(tail.lines().filter(l -> !l.startsWith("%")).toList()).containsExactly("98:value 98", "99:value 99");
    }

    @Test
    void kcatConsumesInAGroupAndCommits() throws Exception {
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            input.append("m").append(i).append('\n');
        }
        run(input.toString(), "-b", cluster.bootstrap(), "-P", "-t", "kcat-group-topic");
        String consumed = run("", "-b", cluster.bootstrap(), "-G", "kcat-group", "-X", "auto.offset.reset=earliest",
                "-e", "-f", "%o:%s\n", "kcat-group-topic");
        List<String> lines = consumed.lines().filter(l -> !l.startsWith("%")).toList();
        assertThat(lines).hasSize(50);
        assertThat(lines.get(49)).isEqualTo("49:m49");
        try (var admin = cluster.admin()) {
            var committed = admin.listConsumerGroupOffsets("kcat-group").partitionsToOffsetAndMetadata().get();
            assertThat(committed.get(new org.apache.kafka.common.TopicPartition("kcat-group-topic", 0)).offset()).isEqualTo(50);
        }
    }

    static String run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("kcat");
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kcat", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kcat " + String.join(" ", args) + " did not finish: " + Files.readString(out));
        }
        String text = Files.readString(out);
        Files.deleteIfExists(out);
        assertThat(p.exitValue()).as("kcat %s exit code; output:\n%s", String.join(" ", args), text).isZero();
        return text;
    }

    static boolean kcatInstalled() {
        try {
            Process p = new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
