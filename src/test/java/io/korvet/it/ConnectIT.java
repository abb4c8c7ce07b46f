package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.redis.RedisServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.Test;

/**
 * Apache Kafka Connect 4.3.1, unchanged, as a distributed worker on Korvet: its config, offset and status topics
 * (compacted), its group (protocol type "connect"), an exactly-once source (transactions and its offsets topic) and a
 * sink, copying a file through a topic without losing or repeating a line.
 */
class ConnectIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int LINES = 200;

    private static HttpResponse<String> http(String method, URI uri, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDistributedWorkerCopiesAFileThroughATopicExactlyOnce() throws Exception {
        Path dir = Files.createTempDirectory("connect-it");
        Path input = dir.resolve("input.txt");
        Path output = dir.resolve("output.txt");
        List<String> lines = IntStream.rangeClosed(1, LINES).mapToObj(i -> "line-" + i).toList();
        Files.write(input, lines);
        int restPort = RedisServerProcess.freePort();
        try (KorvetCluster cluster = KorvetCluster.start(Map.of("group.initial.rebalance.delay.ms", "0"))) {
            Path worker = dir.resolve("worker.properties");
            Files.writeString(worker, String.join("\n",
                    "bootstrap.servers=" + cluster.bootstrap(),
                    "group.id=connect-it",
                    "key.converter=org.apache.kafka.connect.storage.StringConverter",
                    "value.converter=org.apache.kafka.connect.storage.StringConverter",
                    "offset.storage.topic=connect-it-offsets",
                    "config.storage.topic=connect-it-configs",
                    "status.storage.topic=connect-it-status",
                    "offset.storage.replication.factor=1",
                    "config.storage.replication.factor=1",
                    "status.storage.replication.factor=1",
                    "listeners=http://127.0.0.1:" + restPort,
                    "plugin.discovery=service_load",
                    "exactly.once.source.support=enabled",
                    "offset.flush.interval.ms=1000", ""));
            Path log = dir.resolve("connect.log");
            Process connect = KafkaTools.start(log, "org.apache.kafka.connect.cli.ConnectDistributed", worker.toString());
            try {
                URI base = URI.create("http://127.0.0.1:" + restPort);
                boolean ready = false;
                for (int i = 0; i < 240 && !ready && connect.isAlive(); i++) {
                    try {
                        ready = http("GET", base.resolve("/connectors"), null).statusCode() == 200;
                    } catch (java.io.IOException notYet) {
                        // The REST server is not listening yet.
                    }
                    if (!ready) {
                        Thread.sleep(500);
                    }
                }
                assertThat(ready).as("the worker's REST API; its log:\n%s", Files.readString(log)).isTrue();
                HttpResponse<String> source = http("POST", base.resolve("/connectors"), "{\"name\":\"file-source\",\"config\":{"
                        + "\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSourceConnector\",\"tasks.max\":\"1\","
                        + "\"file\":\"" + input + "\",\"topic\":\"connect-lines\"}}");
                assertThat(source.statusCode()).as(source.body()).isEqualTo(201);
                HttpResponse<String> sink = http("POST", base.resolve("/connectors"), "{\"name\":\"file-sink\",\"config\":{"
                        + "\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"tasks.max\":\"1\","
                        + "\"file\":\"" + output + "\",\"topics\":\"connect-lines\"}}");
                assertThat(sink.statusCode()).as(sink.body()).isEqualTo(201);

                List<String> copied = List.of();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (copied.size() < LINES && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                    copied = Files.exists(output) ? Files.readAllLines(output) : List.of();
                }
                assertThat(copied).as("the sink's file; the worker's log:\n%s", Files.readString(log)).isEqualTo(lines);
                for (String name : List.of("file-source", "file-sink")) {
                    String status = http("GET", base.resolve("/connectors/" + name + "/status"), null).body();
                    assertThat(status).contains("\"state\":\"RUNNING\"").doesNotContain("FAILED");
                }
                try (Admin admin = cluster.admin()) {
                    List<String> transactional = new ArrayList<>();
                    for (TransactionListing t : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
                        transactional.add(t.transactionalId());
                    }
                    assertThat(transactional).as("the exactly-once source task's producer").anyMatch(id -> id.contains("file-source"));
                    assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS))
                            .as("the worker's group, of protocol type connect")
                            .anyMatch(g -> g.groupId().equals("connect-it") && g.protocol().equals("connect"));
                }
            } finally {
                connect.destroy();
                if (!connect.waitFor(30, TimeUnit.SECONDS)) {
                    connect.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
