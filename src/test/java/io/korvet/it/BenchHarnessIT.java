package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the benchmark harness ({@code bench/run.sh --short}: Apache Kafka 4.3.1 and Korvet, in its default
 * {@code batch} stream format, side by side, one scenario of a few seconds) so that the harness itself never
 * rots. It asserts that the harness finished and printed its tables with figures for both brokers; it asserts no
 * time or rate, since figures on a shared machine prove nothing. The harness resolves Kafka from Maven Central on
 * its first run.
 */
class BenchHarnessIT {

    private static final List<String> SCENARIOS = List.of("100 B acks=all 1p");
    private static final String NUMBER = "[0-9][0-9,]*(\\.[0-9]+)?";

    @Test
    void shortModePrintsTheTableWithFiguresForBothBrokers() throws Exception {
        assumeTrue(onPath("redis-server") && onPath("redis-benchmark") && onPath("python3"),
                "the harness needs redis-server, redis-benchmark (redis-tools) and python3; .ci/run installs Redis");
        Path log = Path.of("target", "bench-harness-it.log").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", "bench/run.sh", "--short")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KORVET_"));
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        pb.environment().put("PATH", javaBin + File.pathSeparator + pb.environment().getOrDefault("PATH", ""));
        Process harness = pb.start();
        boolean finished = harness.waitFor(6, TimeUnit.MINUTES);
        if (!finished) {
            harness.destroy(); // SIGTERM: the harness kills every broker it started
            if (!harness.waitFor(30, TimeUnit.SECONDS)) {
                harness.descendants().forEach(ProcessHandle::destroyForcibly);
                harness.destroyForcibly();
            }
        }
        String output = Files.readString(log);
        assertThat(finished).as("the short harness run finished within 6 minutes:\n%s", tail(output)).isTrue();
        assertThat(harness.exitValue()).as("harness exit code:\n%s", tail(output)).isZero();

        for (String scenario : SCENARIOS) {
            for (String broker : List.of("Kafka", "Korvet")) {
                String[] cells = row(output, "| " + scenario + " | " + broker + " |");
                // | scenario | broker | records | produce rec/s | MB/s | p50 | p99 | consume rec/s | CPU s
                // | CPU s per million records | of which JIT | per million, JIT left out | RSS | % of ceiling | run s
                // | elsewhere | producer CPU | consumer CPU | Redis µs per append
                assertThat(cells[4]).as("%s %s produce records/s", broker, scenario).matches(NUMBER);
                assertThat(cells[5]).as("MB/s").matches(NUMBER);
                assertThat(cells[6]).as("p50").matches(NUMBER);
                assertThat(cells[7]).as("p99").matches(NUMBER);
                assertThat(cells[8]).as("%s %s consumer records/s", broker, scenario).matches(NUMBER);
                assertThat(cells[9]).as("CPU seconds").matches(NUMBER + "( .*)?");
                assertThat(cells[10]).as("%s %s broker CPU s per million records", broker, scenario).matches(NUMBER);
                assertThat(cells[11]).as("%s %s JIT compiler CPU seconds", broker, scenario).matches(NUMBER);
                assertThat(cells[12]).as("%s %s broker CPU s per million records, JIT left out", broker, scenario).matches(NUMBER);
                assertThat(cells[13]).as("peak RSS").matches(NUMBER + "( .*)?");
                assertThat(cells[17]).as("%s %s producer tool CPU seconds", broker, scenario).matches(NUMBER);
                assertThat(cells[18]).as("%s %s consumer tool CPU seconds", broker, scenario).matches(NUMBER);
                if (broker.equals("Korvet")) {
                    assertThat(cells[19]).as("%s Redis time per append (records each)", scenario)
                            .matches(NUMBER + " \\(" + NUMBER + "\\)");
                }
            }
            String[] ratio = row(output, "| " + scenario + " | **Korvet/Kafka** |");
            assertThat(ratio[4]).as("Korvet/Kafka produce ratio").matches(NUMBER + "×");
            assertThat(ratio[10]).as("Korvet/Kafka CPU per million records ratio").matches(NUMBER + "×");
            assertThat(ratio[12]).as("Korvet/Kafka CPU per million records ratio, JIT left out").matches(NUMBER + "×");
        }
        for (String size : new String[] {"100 B"}) {
            for (String when : new String[] {"at the start", "at the end", "\\*\\*used: the higher of each\\*\\*"}) {
                assertThat(output).as("the Redis ceiling for %s, %s", size, when)
                        .containsPattern("(?m)^\\| " + size + " \\| " + when + " \\| " + NUMBER + " records/s");
            }
        }
        assertThat(output).contains("## Bytes per stored record");
        String bytesSection = output.substring(output.indexOf("## Bytes per stored record"));
        for (String scenario : SCENARIOS) {
            // | scenario | broker | records | Redis MEMORY USAGE B/record | ... | Kafka .log B/record | ratio |
            String[] bytes = row(bytesSection, "| " + scenario + " | Korvet | ");
            assertThat(bytes[3]).as("records in the bytes per record of %s", scenario).matches(NUMBER);
            assertThat(bytes[4]).as("Redis bytes per record for %s", scenario).matches(NUMBER);
            assertThat(bytes[8]).as("Kafka bytes per record for %s", scenario).matches(NUMBER);
            assertThat(bytes[9]).as("Redis/Kafka bytes per record for %s", scenario).matches(NUMBER + "×");
        }
    }

    private static String[] row(String output, String prefix) {
        Optional<String> line = output.lines().filter(l -> l.startsWith(prefix)).findFirst();
        assertThat(line).as("a row starting with '%s' in:\n%s", prefix, tail(output)).isPresent();
        String[] cells = line.get().split("\\|", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].strip();
        }
        return cells;
    }

    private static String tail(String output) {
        return output.length() <= 6000 ? output : output.substring(output.length() - 6000);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
