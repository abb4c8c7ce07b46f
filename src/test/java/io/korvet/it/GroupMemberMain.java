package io.korvet.it;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A group member in a process of its own, so that a test can kill it without it leaving the group:
 * {@code GroupMemberMain <bootstrap> <group> <topic> <sessionTimeoutMs> [classic|consumer]}. Prints its assignment.
 * With the consumer protocol the session timeout is the broker's ({@code group.consumer.session.timeout.ms}).
 */
public final class GroupMemberMain {

    /** A member started in a process of its own, and the size of its assignment as it last printed it (-1: none yet). */
    static final class Child implements AutoCloseable {
        final Process process;
        final java.util.concurrent.atomic.AtomicInteger assigned = new java.util.concurrent.atomic.AtomicInteger(-1);

        Child(String... args) throws java.io.IOException {
            List<String> cmd = new java.util.ArrayList<>(List.of(
                    java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), GroupMemberMain.class.getName()));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("ASSIGNED ")) {
                            assigned.set(Integer.parseInt(line.substring(9).trim()));
                        }
                    }
                } catch (Exception ignored) {
                    // the process was killed
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** Kills it (SIGKILL: it cannot leave its group). */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            kill();
        }
    }

    public static void main(String[] args) {
        Properties p = Clients.consumer(args[0], StringDeserializer.class);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        if (args.length > 4 && args[4].equals("consumer")) {
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        } else {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args[3]);
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        }
        long deadline = System.currentTimeMillis() + 120_000;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(args[2]));
            String last = "";
            while (System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200));
                String now = consumer.assignment().toString();
                if (!now.equals(last)) {
                    System.out.println("ASSIGNED " + consumer.assignment().size());
                    System.out.flush();
                    last = now;
                }
            }
        }
    }
}
