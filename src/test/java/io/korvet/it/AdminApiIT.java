package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JSON admin API after a known workload from real Kafka clients: topics with their exact record counts and
 * offsets, a partition's records with keys, values and headers (text or base64), the log start offset moved into
 * the middle of a batch by DeleteRecords, a committing group's exact lag, the brokers, the traffic history, and the
 * errors (404, 400, 405) a caller gets for what does not exist or is malformed.
 */
class AdminApiIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start();
        cluster.createTopic("browse", 2);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>("browse", i % 2, "k" + i, "{\"n\":" + i + "}");
                r.headers().add("source", ("web-" + i).getBytes(StandardCharsets.UTF_8));
                producer.send(r);
            }
            producer.send(new ProducerRecord<>("browse", 1, null, "no key")).get();
        }
        try (KafkaProducer<byte[], byte[]> producer = cluster.bytesProducer(Map.of())) {
            producer.send(new ProducerRecord<>("binary", 0, new byte[] {(byte) 0xff, 0}, new byte[] {0, 1, (byte) 0xfe})).get();
        }
        int consumed = 0;
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "browsers",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.subscribe(List.of("browse"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumed < 101 && System.nanoTime() < deadline) {
                consumed += consumer.poll(Duration.ofMillis(200)).count();
            }
            consumer.commitSync();
        }
        assertThat(consumed).isEqualTo(101);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("browse", 0, "late" + i, "late-" + i)).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.broker().httpPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        return JSON.readTree(r.body());
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.path(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }

    @Test
    void topicsListAndDescribeWithExactCounts() throws Exception {
        JsonNode topics = json("/api/v1/topics");
        JsonNode browse = find(topics, "name", "browse");
        assertThat(browse.get("partitions").asInt()).isEqualTo(2);
        assertThat(browse.get("records").asLong()).isEqualTo(111);
        assertThat(browse.get("bytes").asLong()).isPositive();
        assertThat(browse.get("format").asText()).isIn("batch", "record");
        assertThat(browse.has("producedPerSecond")).isTrue();
        assertThat(find(topics, "name", "binary").get("records").asLong()).isEqualTo(1);

        JsonNode detail = json("/api/v1/topics/browse");
        assertThat(detail.get("id").asText()).isNotEmpty();
        JsonNode p0 = detail.get("partitions").get(0);
        JsonNode p1 = detail.get("partitions").get(1);
        assertThat(p0.get("highWatermark").asLong()).isEqualTo(60);
        assertThat(p1.get("highWatermark").asLong()).isEqualTo(51);
        assertThat(p0.get("logStartOffset").asLong()).isZero();
        assertThat(p0.get("leader").asInt()).isZero();
        assertThat(detail.get("configs").get("retention.ms").asText()).isEqualTo("604800000");
        assertThat(detail.get("configs").get("korvet.stream.format").asText()).isEqualTo(detail.get("format").asText());
    }

    @Test
    void recordsWithKeysValuesHeadersInOffsetOrder() throws Exception {
        JsonNode page = json("/api/v1/topics/browse/partitions/1/records?offset=2&limit=3");
        assertThat(page.get("highWatermark").asLong()).isEqualTo(51);
        JsonNode records = page.get("records");
        assertThat(records).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode r = records.get(i);
            int n = 2 * (2 + i) + 1; // partition 1 holds the odd records, in order
            assertThat(r.get("offset").asLong()).isEqualTo(2 + i);
            assertThat(r.get("key").asText()).isEqualTo("k" + n);
            assertThat(r.get("keyEncoding").asText()).isEqualTo("text");
            assertThat(r.get("value").asText()).isEqualTo("{\"n\":" + n + "}");
            assertThat(r.get("timestamp").asLong()).isPositive();
            assertThat(r.get("headers").get(0).get("key").asText()).isEqualTo("source");
            assertThat(r.get("headers").get(0).get("value").asText()).isEqualTo("web-" + n);
        }
        // Without an offset: the latest ones, ending at the high watermark; the keyless record last.
        JsonNode latest = json("/api/v1/topics/browse/partitions/1/records?limit=4").get("records");
        assertThat(latest).hasSize(4);
        assertThat(latest.get(3).get("offset").asLong()).isEqualTo(50);
        assertThat(latest.get(3).get("key").isNull()).isTrue();
        assertThat(latest.get(3).get("value").asText()).isEqualTo("no key");
        assertThat(json("/api/v1/topics/browse/partitions/0/records").get("records")).hasSize(20);
        assertThat(json("/api/v1/topics/browse/partitions/0/records?offset=60").get("records")).isEmpty();
        assertThat(json("/api/v1/topics/browse/partitions/0/records?offset=55&limit=500").get("records")).hasSize(5);

        JsonNode binary = json("/api/v1/topics/binary/partitions/0/records").get("records").get(0);
        assertThat(binary.get("keyEncoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(binary.get("key").asText())).containsExactly(0xff, 0);
        assertThat(binary.get("valueEncoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(binary.get("value").asText())).containsExactly(0, 1, 0xfe);
    }

    @Test
    void noRecordBelowTheLogStartOffsetAfterDeleteRecords() throws Exception {
        cluster.createTopic("trimmed", 1);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sent.add(producer.send(new ProducerRecord<>("trimmed", 0, "k" + i, "v" + i)));
            }
            producer.flush();
            for (var f : sent) {
                f.get();
            }
        }
        cluster.sharedAdmin().deleteRecords(Map.of(new TopicPartition("trimmed", 0), RecordsToDelete.beforeOffset(3))).all()
                .get(15, TimeUnit.SECONDS);
        JsonNode page = json("/api/v1/topics/trimmed/partitions/0/records?offset=0&limit=100");
        assertThat(page.get("logStartOffset").asLong()).isEqualTo(3);
        assertThat(page.get("records")).hasSize(7);
        assertThat(page.get("records").get(0).get("offset").asLong()).isEqualTo(3);
        assertThat(page.get("records").get(0).get("value").asText()).isEqualTo("v3");
        assertThat(find(json("/api/v1/topics"), "name", "trimmed").get("records").asLong()).isEqualTo(7);
    }

    @Test
    void groupsWithExactLagPerPartition() throws Exception {
        JsonNode group = find(json("/api/v1/groups"), "group", "browsers");
        assertThat(group.get("lag").asLong()).isEqualTo(10);
        assertThat(group.get("state").asText()).isEqualTo("Empty");
        assertThat(group.get("members").asInt()).isZero();
        assertThat(group.get("protocolType").asText()).isEqualTo("consumer");
        assertThat(group.get("coordinator").asInt()).isZero();

        JsonNode detail = json("/api/v1/groups/browsers");
        assertThat(detail.get("lag").asLong()).isEqualTo(10);
        assertThat(detail.get("members")).isEmpty();
        JsonNode offsets = detail.get("offsets");
        assertThat(offsets).hasSize(2);
        assertThat(offsets.get(0).get("topic").asText()).isEqualTo("browse");
        assertThat(offsets.get(0).get("committedOffset").asLong()).isEqualTo(50);
        assertThat(offsets.get(0).get("highWatermark").asLong()).isEqualTo(60);
        assertThat(offsets.get(0).get("lag").asLong()).isEqualTo(10);
        assertThat(offsets.get(1).get("committedOffset").asLong()).isEqualTo(51);
        assertThat(offsets.get(1).get("lag").asLong()).isZero();
    }

    @Test
    void aLiveGroupShowsItsMembersAndAssignments() throws Exception {
        cluster.createTopic("live", 2);
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "live-group",
                ConsumerConfig.CLIENT_ID_CONFIG, "live-client"))) {
            consumer.subscribe(List.of("live"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.assignment().size() < 2 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            JsonNode detail = json("/api/v1/groups/live-group");
            assertThat(detail.get("state").asText()).isEqualTo("Stable");
            JsonNode member = detail.get("members").get(0);
            assertThat(member.get("clientId").asText()).isEqualTo("live-client");
            assertThat(member.get("assignments")).hasSize(2);
            assertThat(member.get("assignments").get(0).get("topic").asText()).isEqualTo("live");
            assertThat(find(json("/api/v1/groups"), "group", "live-group").get("members").asInt()).isEqualTo(1);
        }
    }

    @Test
    void brokersAndHistory() throws Exception {
        JsonNode broker = json("/api/v1/brokers").get(0);
        assertThat(broker.get("nodeId").asInt()).isZero();
        assertThat(broker.get("self").asBoolean()).isTrue();
        assertThat(broker.get("controller").asBoolean()).isTrue();
        assertThat(broker.get("endpoints").get(0).get("port").asInt()).isEqualTo(cluster.port());

        await().atMost(Duration.ofSeconds(20)).until(() -> json("/api/v1/history").get("timestamps").size() >= 2);
        JsonNode history = json("/api/v1/history");
        assertThat(history.get("intervalSeconds").asInt()).isEqualTo(5);
        int samples = history.get("timestamps").size();
        assertThat(history.get("topics").get("browse").get("produced")).hasSize(samples);
        assertThat(history.get("topics").get("browse").get("fetched")).hasSize(samples);
    }

    @Test
    void errorsSayWhatIsWrong() throws Exception {
        assertThat(get("/api/v1/topics/nope").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/topics/nope").body()).contains("\"error\"");
        assertThat(get("/api/v1/topics/browse/partitions/7/records").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/topics/browse/partitions/0/records?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/topics/browse/partitions/0/records?limit=501").statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/topics/browse/partitions/0/records?offset=x").statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/groups/nobody").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/nothing").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.broker().httpPort()
                + "/api/v1/topics")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }
}
