package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka clients of an older release keep working: OldClientMain runs in a JVM of its own on kafka-clients 3.9.1
 * (copied to target/old-clients by the build) instead of the test classpath's 4.3.
 */
class OldClientsIT {

    static final Path OLD_CLIENT = Path.of("target", "old-clients", "kafka-clients-3.9.1.jar");
    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void kafkaClients39ProducesAndConsumesWithEveryCodec() throws Exception {
        assertThat(OLD_CLIENT).as("the build copies kafka-clients 3.9.1 there (pom: maven-dependency-plugin)").exists();
        List<String> classpath = new ArrayList<>();
        classpath.add(OLD_CLIENT.toAbsolutePath().toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!Path.of(entry).getFileName().toString().startsWith("kafka-clients-")) {
                classpath.add(entry);
            }
        }
        Path output = Files.createTempFile("old-client", ".log");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", String.join(File.pathSeparator, classpath), OldClientMain.class.getName(), cluster.bootstrap())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = p.waitFor(180, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(exited).as(out).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("CLIENT 3.9.1", "OK none", "OK gzip", "OK snappy", "OK lz4", "OK zstd", "OK admin");
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
