package io.korvet.it;

import io.korvet.Broker;
import io.korvet.config.KorvetConfig;
import io.korvet.storage.redis.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real redis-server (the one on the PATH, else embedded-redis's binary) and a Korvet broker on
 * loopback, for integration tests. The broker can be stopped and started again on the same Redis, and
 * Redis itself stopped and started again with its append-only file.
 */
public final class KorvetCluster implements AutoCloseable {

    private final Path dataDir;
    private final RedisServerProcess redis;
    private final Map<String, String> settings = new HashMap<>();
    private final int port;
    private Broker broker;

    private KorvetCluster(Map<String, String> overrides) throws IOException {
        this.dataDir = Files.createTempDirectory("korvet-it-");
        this.redis = RedisServerProcess.start(dataDir.resolve("redis"));
        this.port = RedisServerProcess.freePort();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        settings.put("korvet.redis.uri", redis.uri());
        settings.put("korvet.http.listener", "http://127.0.0.1:0");
        settings.put("korvet.namespace", "it" + UUID.randomUUID().toString().substring(0, 8));
        settings.put("korvet.redis.timeout.ms", "2000");
        String format = streamFormat();
        if (format != null) {
            settings.put("korvet.stream.format", format);
        }
        settings.putAll(overrides);
    }

    /**
     * The stream format the suite runs in ({@code -Dkorvet.test.stream.format}, which the build sets to run the
     * integration tests again over the {@code record} format), or null for the broker's default.
     */
    static String streamFormat() {
        String format = System.getProperty("korvet.test.stream.format");
        return format == null || format.isBlank() ? null : format;
    }

    public static KorvetCluster start() throws Exception {
        return start(Map.of());
    }

    public static KorvetCluster start(Map<String, String> overrides) throws Exception {
        KorvetCluster cluster = new KorvetCluster(overrides);
        try {
            cluster.startBroker();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public void startBroker() throws Exception {
        broker = new Broker(KorvetConfig.fromMap(settings)).start();
    }

    public void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** The running broker (null while stopped), for its listener stats. */
    public Broker broker() {
        return broker;
    }

    public RedisServerProcess redis() {
        return redis;
    }

    private Admin sharedAdmin;

    /** The broker's settings, for a second broker on the same Redis and namespace. */
    public Map<String, String> settings() {
        return new HashMap<>(settings);
    }

    public String namespace() {
        return settings.get("korvet.namespace");
    }

    public int port() {
        return port;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        return Admin.create(p);
    }

    /** Creates a topic (replication factor 1, the broker's default configs) and waits until it exists. */
    public void createTopic(String name, int partitions) throws Exception {
        sharedAdmin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    /** One Admin client for a whole test class, closed with the cluster. */
    public synchronized Admin sharedAdmin() {
        if (sharedAdmin == null) {
            sharedAdmin = admin();
        }
        return sharedAdmin;
    }

    /** A producer with the client's defaults (acks=all, idempotence on) unless overridden. */
    public KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Properties p = Clients.producer(bootstrap(), StringSerializer.class);
        p.putAll(overrides);
        return new KafkaProducer<>(p);
    }

    public KafkaProducer<byte[], byte[]> bytesProducer(Map<String, Object> overrides) {
        Properties p = Clients.producer(bootstrap(), ByteArraySerializer.class);
        p.putAll(overrides);
        return new KafkaProducer<>(p);
    }

    /** A consumer without a group, for assign(). */
    public KafkaConsumer<String, String> consumer(Map<String, Object> overrides) {
        Properties p = Clients.readingFromTheStart(bootstrap(), StringDeserializer.class);
        p.putAll(overrides);
        return new KafkaConsumer<>(p);
    }

    public KafkaConsumer<byte[], byte[]> bytesConsumer(Map<String, Object> overrides) {
        Properties p = Clients.readingFromTheStart(bootstrap(), ByteArrayDeserializer.class);
        p.putAll(overrides);
        return new KafkaConsumer<>(p);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (sharedAdmin != null) {
                sharedAdmin.close(Duration.ofSeconds(5));
                sharedAdmin = null;
            }
        }
        stopBroker();
        redis.stop();
        deleteRecursively(dataDir);
    }

    /** Deletes a temporary directory and what is in it, as far as it can. */
    static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temporary directory
        }
    }
}
