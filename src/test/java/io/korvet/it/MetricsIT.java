package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP listener: /metrics after a known workload (exact record counts, requests by API, the latency histogram),
 * clean under Prometheus's own promtool; /health/live and /health/ready, which follows Redis going away and back.
 */
class MetricsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static KorvetCluster cluster;

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

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.broker().httpPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void metricsCountTheWorkloadExactlyAndPassPromtool() throws Exception {
        cluster.createTopic("metered", 2);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("metered", i % 2, "k" + i, "value-" + i)).get();
            }
        }
        int consumed = 0;
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "metered-group",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.subscribe(List.of("metered"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumed < 100 && System.nanoTime() < deadline) {
                consumed += consumer.poll(Duration.ofMillis(200)).count();
            }
            consumer.commitSync();
        }
        assertThat(consumed).isEqualTo(100);
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        String metrics = r.body();
        assertThat(value(metrics, "korvet_records_produced_total{topic=\"metered\"}")).isEqualTo(100.0);
        assertThat(value(metrics, "korvet_records_fetched_total{topic=\"metered\"}")).isEqualTo(100.0);
        assertThat(value(metrics, "korvet_bytes_produced_total{topic=\"metered\"}")).isGreaterThan(100 * 7);
        for (int p = 0; p < 2; p++) {
            assertThat(value(metrics, "korvet_partition_high_watermark{partition=\"" + p + "\",topic=\"metered\"}")).isEqualTo(50.0);
            assertThat(value(metrics, "korvet_partition_log_start_offset{partition=\"" + p + "\",topic=\"metered\"}")).isZero();
            assertThat(value(metrics, "korvet_consumer_group_lag{group=\"metered-group\",partition=\"" + p + "\",topic=\"metered\"}"))
                    .isZero();
        }
        assertThat(value(metrics, "korvet_consumer_group_members{group=\"metered-group\"}")).isZero();
        // 10 more records, not consumed: the committed group lags by them.
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("metered", 0, "k", "more-" + i)).get();
            }
        }
        String later = get("/metrics").body();
        assertThat(value(later, "korvet_consumer_group_lag{group=\"metered-group\",partition=\"0\",topic=\"metered\"}"))
                .isEqualTo(10.0);
        assertThat(value(later, "korvet_records_produced_total{topic=\"metered\"}")).isEqualTo(110.0);
        assertThat(metrics).containsPattern("korvet_requests_total\\{api=\"Produce\",error=\"NONE\",version=\"\\d+\"} \\d+")
                .containsPattern("korvet_requests_total\\{api=\"OffsetCommit\",error=\"NONE\",version=\"\\d+\"} 1.0")
                .contains("korvet_request_latency_seconds_bucket{api=\"Fetch\",le=\"1.0E-4\"}")
                .contains("korvet_request_latency_seconds_bucket{api=\"Produce\",le=\"10.0\"}")
                .contains("korvet_connections ").contains("korvet_requests_in_flight ")
                .contains("jvm_memory_used_bytes").contains("process_cpu_usage");
        // Redis commands by name: the batch format's append is MULTI, EVALSHA (the fence), XADD, RENAME, EXEC on a
        // connection of its own; a fetch is an XRANGE. 100 records sent one at a time are 100 appends.
        for (String command : List.of("MULTI", "EVALSHA", "XADD", "RENAME", "EXEC", "XRANGE")) {
            assertThat(value(metrics, "korvet_redis_command_latency_seconds_count{command=\"" + command + "\"}"))
                    .as(command).isGreaterThan(0.0);
        }
        assertThat(value(metrics, "korvet_redis_command_latency_seconds_count{command=\"EXEC\"}")).isGreaterThanOrEqualTo(100.0);
        assertThat(metrics).contains("korvet_redis_command_latency_seconds_bucket{command=\"EXEC\",le=\"5.0E-5\"}")
                .contains("korvet_redis_command_latency_seconds_bucket{command=\"EXEC\",le=\"10.0\"}")
                .contains("korvet_redis_command_latency_seconds_bucket{command=\"XRANGE\",le=\"+Inf\"}")
                .doesNotContain("command=\"KORVET_");
        for (String kind : List.of("timeout", "connection", "reply", "other")) {
            assertThat(value(metrics, "korvet_redis_errors_total{kind=\"" + kind + "\"}")).as(kind).isNotNaN();
        }
        Path file = Files.createTempFile("metrics", ".txt");
        Files.writeString(file, metrics);
        try {
            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(promtool.exitValue()).as("promtool check metrics:\n" + out).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void readinessFollowsRedisAndLivenessStays() throws Exception {
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").body()).isEqualTo("{\"status\":\"ready\"}");
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);
        String connectionErrors = "korvet_redis_errors_total{kind=\"connection\"}";
        double before = value(get("/metrics").body(), connectionErrors);
        cluster.redis().stop();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> get("/health/ready").statusCode() == 503);
            assertThat(get("/health/ready").body()).contains("\"status\":\"not ready\"").contains("Redis");
            assertThat(get("/health/live").statusCode()).isEqualTo(200);
            // The readiness checks' PINGs failed, each counted as a connection failure (the scrape answers meanwhile).
            HttpResponse<String> down = get("/metrics");
            assertThat(down.statusCode()).isEqualTo(200);
            assertThat(value(down.body(), connectionErrors)).isGreaterThan(before);
        } finally {
            cluster.redis().start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/health/ready").statusCode() == 200);
    }
}
