package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.redis.RedisServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as a user starts it: embedded Redis by default, settings from a file, the environment
 * and flags, a clear start-up line, a refusal naming a bad setting, and a clean stop on SIGTERM that also
 * stops the Redis it started, whose data a second start finds again.
 */
class LauncherIT {

    private static final Path JAR = Path.of("target", "korvet.jar");

    @TempDir
    Path dir;

    @Test
    void startsOnEmbeddedRedisStopsOnSigtermAndFindsItsDataAgain() throws Exception {
        int port = RedisServerProcess.freePort();
        Path config = dir.resolve("korvet.properties");
        Files.writeString(config, "listeners=PLAINTEXT://127.0.0.1:1\nnum.partitions=2\n");
        Map<String, String> env = Map.of(
                "KORVET_LISTENERS", "PLAINTEXT://127.0.0.1:" + port,
                "KORVET_DATA_DIR", dir.resolve("data").toString());

        Process broker = start(env, "--config", config.toString());
        String line = awaitLine(broker, "Korvet started");
        assertThat(line).contains("127.0.0.1:" + port).contains("Redis redis://127.0.0.1:").contains("embedded")
                .contains("AOF appendfsync everysec");
        int redisPort = redisPort(line);
        assertThat(redisCommand(redisPort, "CONFIG", "GET", "disable-thp"))
                .as("the embedded redis-server may use transparent huge pages (HugePages)").contains("\r\nno\r\n");
        try (Admin admin = admin(port)) {
            admin.createTopics(List.of(new NewTopic("launched", java.util.Optional.empty(), java.util.Optional.empty()))).all().get();
            assertThat(admin.describeTopics(List.of("launched")).allTopicNames().get().get("launched").partitions()).hasSize(2);
        }

        broker.destroy(); // SIGTERM
        assertThat(broker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output(broker)).contains("Korvet stopped");
        assertThat(listening(redisPort)).as("the embedded redis-server is stopped").isFalse();
        assertThat(listening(port)).isFalse();

        Process again = start(env, "--config", config.toString());
        awaitLine(again, "Korvet started");
        try (Admin admin = admin(port)) {
            assertThat(admin.listTopics().names().get()).contains("launched");
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUnknownOrMalformedSettingStopsStartUpNamingIt() throws Exception {
        Process unknown = start(Map.of("KORVET_NO_SUCH_THING", "1"));
        assertThat(unknown.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(unknown.exitValue()).isNotZero();
        assertThat(output(unknown)).contains("KORVET_NO_SUCH_THING");

        Process malformed = start(Map.of(), "--override", "num.partitions=many");
        assertThat(malformed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(malformed.exitValue()).isNotZero();
        assertThat(output(malformed)).contains("num.partitions");
    }

    @Test
    void aSecondBrokerOnTheSameDataDirectoryRefusesToStartAndTheFirstKeepsItsRecords() throws Exception {
        Path data = dir.resolve("shared-data");
        int first = RedisServerProcess.freePort();
        Process a = start(Map.of("KORVET_DATA_DIR", data.toString(), "KORVET_LISTENERS", "PLAINTEXT://127.0.0.1:" + first));
        String line = awaitLine(a, "Korvet started");
        assertThat(Files.readString(data.resolve("redis.port")).trim()).isEqualTo(String.valueOf(redisPort(line)));
        produce(first, "shared", "a1", "a2", "a3");

        int second = RedisServerProcess.freePort();
        Process b = start(Map.of("KORVET_DATA_DIR", data.toString(), "KORVET_LISTENERS", "PLAINTEXT://127.0.0.1:" + second));
        assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(b.exitValue()).isNotZero();
        assertThat(output(b)).contains("Korvet could not start: data directory " + data.toAbsolutePath()
                        + " is in use by another Korvet broker (pid " + a.pid() + ")")
                .doesNotContain("Korvet started").doesNotContain("Korvet stopped").doesNotContain("\tat ");
        assertThat(listening(second)).isFalse();

        produce(first, "shared", "a4");
        a.destroy();
        assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(data.resolve("redis.port")).doesNotExist();

        Process again = start(Map.of("KORVET_DATA_DIR", data.toString(), "KORVET_LISTENERS", "PLAINTEXT://127.0.0.1:" + first));
        awaitLine(again, "Korvet started");
        try {
            assertThat(consumeAll(first, "shared", 4)).containsExactly("a1", "a2", "a3", "a4");
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPortInUseStopsStartUpWithOneLineBeforeRedisIsStarted() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path data = dir.resolve("port-data");
            Process p = start(Map.of("KORVET_DATA_DIR", data.toString(),
                    "KORVET_LISTENERS", "PLAINTEXT://127.0.0.1:" + taken.getLocalPort()));
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isNotZero();
            String out = output(p);
            assertThat(out.lines().filter(l -> !l.isBlank()).toList()).singleElement().asString()
                    .endsWith("Korvet could not start: 127.0.0.1:" + taken.getLocalPort() + " (listener PLAINTEXT) is already in use");
            assertThat(data.resolve("redis.log")).as("no redis-server was started").doesNotExist();
        }
    }

    @Test
    void theEmbeddedRedisPortCanBeSetAndARedisLeftByAKilledBrokerIsStoppedBeforeANewOneStarts() throws Exception {
        Path data = dir.resolve("kill-data");
        int port = RedisServerProcess.freePort();
        int redisPort = RedisServerProcess.freePort();
        Map<String, String> env = Map.of("KORVET_DATA_DIR", data.toString(), "KORVET_LISTENERS", "PLAINTEXT://127.0.0.1:" + port,
                "KORVET_EMBEDDED_REDIS_PORT", String.valueOf(redisPort));
        Process a = start(env);
        assertThat(awaitLine(a, "Korvet started")).contains("redis://127.0.0.1:" + redisPort);
        assertThat(Files.readString(data.resolve("redis.port")).trim()).isEqualTo(String.valueOf(redisPort));
        produce(port, "killed", "k1", "k2");
        long leftover = Long.parseLong(Files.readString(data.resolve("redis.pid")).trim());
        a.destroyForcibly(); // SIGKILL: no shutdown hook stops the redis-server
        assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(leftover).map(ProcessHandle::isAlive)).as("the killed broker's redis-server").contains(true);

        Process again = start(env);
        awaitLine(again, "Korvet started");
        try {
            assertThat(output(again)).contains("Stopping redis-server (pid " + leftover + ") left running on " + data.toAbsolutePath());
            assertThat(ProcessHandle.of(leftover).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(consumeAll(port, "killed", 2)).containsExactly("k1", "k2");
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void describeConfigListsEveryKeyWithItsDefault() throws Exception {
        Process p = start(Map.of(), "--describe-config");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        String out = output(p);
        for (String key : io.korvet.config.KorvetConfig.KEYS.keySet()) {
            assertThat(out).contains(key);
        }
        assertThat(out).contains("default 1048588");

        Process help = start(Map.of(), "--help");
        assertThat(help.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output(help)).contains("--describe-config").contains("README.md").contains("KORVET_");
    }

    @Test
    void theShippedExampleConfigurationStartsTheBroker() throws Exception {
        Path example = Path.of("config", "korvet.properties").toAbsolutePath();
        int port = RedisServerProcess.freePort();
        Process p = start(Map.of("KORVET_DATA_DIR", dir.resolve("example-data").toString()),
                "--config", example.toString(), "--override", "listeners=PLAINTEXT://127.0.0.1:" + port);
        try {
            assertThat(awaitLine(p, "Korvet started")).contains("127.0.0.1:" + port);
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void kafkasOwnServerPropertiesStartsTheBrokerOnItsClientListener() throws Exception {
        int port = RedisServerProcess.freePort();
        int controllerPort = RedisServerProcess.freePort();
        String kafka = Files.readString(Path.of("src", "test", "resources", "kafka", "kraft-server.properties"))
                .replace(":9092", ":" + port).replace(":9093", ":" + controllerPort)
                .replace("/tmp/kraft-combined-logs", dir.resolve("kafka-logs").toString());
        Path config = dir.resolve("server.properties");
        Files.writeString(config, kafka + "compression.type=lz4\nno.such.setting=1\nconnections.max.idle.ms=1500\n"
                + "socket.listen.backlog.size=64\n");
        Process p = start(Map.of(), "--config", config.toString());
        try {
            String started = awaitLine(p, "Korvet started");
            assertThat(started).contains(":" + port + " (" + 2 * Runtime.getRuntime().availableProcessors() + " network threads)").doesNotContain(":" + controllerPort).contains("node 1")
                    .as("the embedded Redis keeps its data in Kafka's log.dirs").contains("data in " + dir.resolve("kafka-logs"));
            assertThat(listening(controllerPort)).as("no controller listener is opened").isFalse();
            String out = output(p);
            assertThat(out).contains("Settings with no effect on Korvet [num.recovery.threads.per.data.dir]")
                    .contains("process.roles]: Korvet's brokers agree through Redis")
                    .contains("Topic defaults set by broker keys: [compression.type=lz4]")
                    .contains("WARN").contains("'no.such.setting' was supplied but isn't a known config");

            produce(port, "from-kafka-config", "a", "b");
            assertThat(consumeAll(port, "from-kafka-config", 2)).containsExactly("a", "b");
            try (Admin admin = admin(port)) {
                var resource = new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "from-kafka-config");
                assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("compression.type").value())
                        .as("the broker's compression.type is the topic's default").isEqualTo("lz4");
            }

            try (Socket idle = new Socket("127.0.0.1", port)) {
                idle.setSoTimeout(15_000);
                assertThat(idle.getInputStream().read()).as("closed after connections.max.idle.ms with no request").isEqualTo(-1);
            }
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void produce(int port, String topic, String... values) throws Exception {
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(
                Clients.producer("127.0.0.1:" + port, org.apache.kafka.common.serialization.StringSerializer.class))) {
            for (String v : values) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, v)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> consumeAll(int port, String topic, int expected) {
        List<String> values = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(
                Clients.readingFromTheStart("127.0.0.1:" + port, org.apache.kafka.common.serialization.StringDeserializer.class))) {
            consumer.assign(List.of(new org.apache.kafka.common.TopicPartition(topic, 0)));
            long deadline = System.currentTimeMillis() + 30_000;
            while (values.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    private Process start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out-" + System.nanoTime() + ".log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KORVET_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        outputs.put(p, pb.redirectOutput().file().toPath());
        return p;
    }

    private final Map<Process, Path> outputs = new java.util.HashMap<>();

    private String output(Process p) throws IOException {
        return Files.readString(outputs.get(p));
    }

    private String awaitLine(Process p, String marker) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (String l : output(p).lines().toList()) {
                if (l.contains(marker)) {
                    return l;
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("the broker exited: " + output(p));
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("no '" + marker + "' line: " + output(p));
    }

    private static int redisPort(String startLine) {
        Matcher m = Pattern.compile("redis://127\\.0\\.0\\.1:(\\d+)").matcher(startLine);
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** One command's raw RESP reply, read until Redis stops sending for 200 ms. */
    private static String redisCommand(int port, String... args) throws IOException {
        StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
        for (String a : args) {
            request.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] buf = new byte[4096];
            int n = s.getInputStream().read(buf);
            return new String(buf, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Admin admin(int port) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port));
    }
}
