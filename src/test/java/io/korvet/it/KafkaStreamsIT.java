package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams application with exactly_once_v2 (a stateful count: a repartition topic and a changelog topic),
 * killed with SIGKILL mid-stream and started again: the counts it outputs, read with read_committed, are exactly
 * right, and no word's count ever went past its true value (a record processed twice would show there).
 */
class KafkaStreamsIT {

    private static final int WORDS = 30;
    private static final int EACH = 100;

    @TempDir
    static Path dir;

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000",
                "group.initial.rebalance.delay.ms", "0"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The application as a process of its own; its output is echoed with a prefix. */
    private static Process app(String stateDir) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), StreamsAppMain.class.getName(), cluster.bootstrap(), "word-count",
                dir.resolve(stateDir).toString());
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread echo = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("streams-app: " + line);
                }
            } catch (Exception ignored) {
                // killed
            }
        });
        echo.setDaemon(true);
        echo.start();
        return process;
    }

    private static void produce(int from, int to) {
        try (KafkaProducer<String, String> p = cluster.producer(Map.of())) {
            for (int i = from; i < to; i++) {
                p.send(new ProducerRecord<>(StreamsAppMain.INPUT, "line-" + i, "word" + (i % WORDS)));
            }
            p.flush();
        }
    }

    /** Every count the application output so far, in order per word, read_committed. */
    private static Map<String, List<Long>> counts(KafkaConsumer<String, Long> consumer, Map<String, List<Long>> into) {
        for (int i = 0; i < 5; i++) {
            for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(300))) {
                into.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
            }
        }
        return into;
    }

    @Test
    void exactlyOnceCountsSurviveAKilledApplication() throws Exception {
        cluster.sharedAdmin().createTopics(List.of(new NewTopic(StreamsAppMain.INPUT, 2, (short) 1),
                new NewTopic(StreamsAppMain.OUTPUT, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        int total = WORDS * EACH;
        produce(0, total / 2);
        Properties c = Clients.readingFromTheStart(cluster.bootstrap(), StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class.getName());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<Long>> seen = new HashMap<>();
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(List.of(new TopicPartition(StreamsAppMain.OUTPUT, 0), new TopicPartition(StreamsAppMain.OUTPUT, 1)));
            Process first = app("state-1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (seen.values().stream().mapToInt(List::size).sum() < total / 4 && System.nanoTime() < deadline) {
                counts(consumer, seen);
            }
            assertThat(seen).as("the application counted before it was killed").isNotEmpty();
            first.destroyForcibly();
            first.waitFor(10, TimeUnit.SECONDS);
            produce(total / 2, total);
            // A new instance (another state directory: its store comes back from the changelog).
            Process second = app("state-2");
            try {
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (!allCounted(seen) && System.nanoTime() < deadline) {
                    counts(consumer, seen);
                }
            } finally {
                second.destroy();
                second.waitFor(20, TimeUnit.SECONDS);
                second.destroyForcibly();
            }
        }
        assertThat(seen).hasSize(WORDS);
        seen.forEach((word, values) -> {
            assertThat(values.get(values.size() - 1)).as("final count of " + word).isEqualTo(EACH);
            assertThat(values).as("counts of " + word + ", never past the truth").allMatch(v -> v <= EACH);
            assertThat(values).as("counts of " + word + " in order").isSorted();
        });
    }

    private static boolean allCounted(Map<String, List<Long>> seen) {
        if (seen.size() < WORDS) {
            return false;
        }
        return seen.values().stream().allMatch(v -> v.get(v.size() - 1) >= EACH);
    }
}
