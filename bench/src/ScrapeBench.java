import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What one {@code /metrics} scrape costs a broker with many partitions: creates a topic of {@code partitions}
 * partitions, produces one record to each (so that every partition log is loaded and has its offset gauges), commits
 * a group offset for each (so that the group has a lag row per partition), then times {@code scrapes} scrapes one
 * after the other (after a few untimed ones): wall time, bytes, and the CPU time the broker's JVM and its
 * redis-server spent meanwhile ({@code /proc/<pid>/stat} utime + stime).
 *
 * <p>Usage: {@code ScrapeBench <bootstrap> <metrics url> <broker pid> <redis pid or 0> <clock ticks per s>
 * <partitions> <scrapes>}
 */
public final class ScrapeBench {

    private static final String TOPIC = "scrape-bench";
    private static final String GROUP = "scrape-bench-group";

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        URI url = URI.create(args[1]);
        long brokerPid = Long.parseLong(args[2]);
        long redisPid = Long.parseLong(args[3]);
        double ticks = Double.parseDouble(args[4]);
        int partitions = Integer.parseInt(args[5]);
        int scrapes = Integer.parseInt(args[6]);

        long t0 = System.nanoTime();
        Properties common = new Properties();
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get();
        }
        Properties producerProps = new Properties();
        producerProps.putAll(common);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "50");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            byte[] value = "scrape".getBytes(StandardCharsets.US_ASCII);
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(TOPIC, p, null, value));
            }
            producer.flush();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            offsets.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(1));
        }
        try (Admin admin = Admin.create(common)) {
            admin.alterConsumerGroupOffsets(GROUP, offsets).all().get();
        }
        System.out.printf("setup: topic of %d partitions, one record each, group offsets committed, in %.1f s%n",
                partitions, (System.nanoTime() - t0) / 1e9);

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).build();
        // The first scrapes load what the state gauges need and warm the JIT; not timed.
        byte[] body = null;
        for (int i = 0; i < 5; i++) {
            body = scrape(http, request);
        }
        String text = new String(body, StandardCharsets.UTF_8);
        System.out.printf("series in a scrape: %d high-watermark rows, %d lag rows, %d lines, %d bytes%n",
                count(text, "korvet_partition_high_watermark{"), count(text, "korvet_consumer_group_lag{"),
                text.split("\n").length, body.length);

        // The broker's own CPU while idle, over about as long as the scrapes will take, to subtract.
        long idleStart = System.nanoTime();
        long[] idleBefore = {cpuTicks(brokerPid), cpuTicks(redisPid)};
        Thread.sleep(3000);
        long[] idleAfter = {cpuTicks(brokerPid), cpuTicks(redisPid)};
        double idleSeconds = (System.nanoTime() - idleStart) / 1e9;

        double[] wall = new double[scrapes];
        long bytes = 0;
        long[] before = {cpuTicks(brokerPid), cpuTicks(redisPid)};
        long start = System.nanoTime();
        for (int i = 0; i < scrapes; i++) {
            long s = System.nanoTime();
            bytes += scrape(http, request).length;
            wall[i] = (System.nanoTime() - s) / 1e6;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = {cpuTicks(brokerPid), cpuTicks(redisPid)};
        double[] sorted = wall.clone();
        Arrays.sort(sorted);
        double brokerCpuMs = (after[0] - before[0]) / ticks * 1000;
        double redisCpuMs = (after[1] - before[1]) / ticks * 1000;
        double brokerIdleMs = (idleAfter[0] - idleBefore[0]) / ticks * 1000 * seconds / idleSeconds;
        double redisIdleMs = (idleAfter[1] - idleBefore[1]) / ticks * 1000 * seconds / idleSeconds;
        System.out.printf("scrapes: %d in %.2f s, one after the other%n", scrapes, seconds);
        System.out.printf("wall ms per scrape: median %.1f, min %.1f, max %.1f, mean %.1f%n",
                sorted[scrapes / 2], sorted[0], sorted[scrapes - 1], Arrays.stream(wall).average().orElse(0));
        System.out.printf("bytes per scrape: %d%n", bytes / scrapes);
        System.out.printf("broker JVM CPU ms per scrape: %.1f (%.0f ms over the scrapes; %.0f ms idle over as long)%n",
                (brokerCpuMs - brokerIdleMs) / scrapes, brokerCpuMs, brokerIdleMs);
        if (redisPid > 0) {
            System.out.printf("redis-server CPU ms per scrape: %.1f (%.0f ms over the scrapes; %.0f ms idle over as long)%n",
                    (redisCpuMs - redisIdleMs) / scrapes, redisCpuMs, redisIdleMs);
        }
    }

    private static byte[] scrape(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + request.uri() + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    private static int count(String text, String prefix) {
        int n = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                n++;
            }
        }
        return n;
    }

    /** utime + stime of a process, in clock ticks (0 for pid 0). */
    private static long cpuTicks(long pid) throws IOException {
        if (pid <= 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
