package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.korvet.it.fuzz.FuzzCases;
import io.korvet.it.fuzz.FuzzCases.Kind;
import io.korvet.it.fuzz.FuzzCases.Seed;
import io.korvet.it.fuzz.FuzzRunner;
import io.korvet.it.fuzz.FuzzRunner.Outcome;
import io.korvet.it.fuzz.RecordingProxy;
import io.korvet.it.fuzz.RecordingProxy.Captured;
import io.korvet.it.fuzz.StreamIntegrity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A protocol fuzzer over every API and version the broker advertises. Real clients (an idempotent,
 * compressing producer, a consumer in a group that commits, an Admin) talk to the broker through a
 * recording proxy, which the broker advertises as its address so that every request goes through it; any
 * advertised API and version no client used is built with kafka-clients' request classes. Those requests are
 * the seeds: {@code fuzz.cases} cases (50,000 by default, from the fixed seed {@code fuzz.seed}) of random
 * bytes and mutations of them (lengths, versions, counts, strings, integers, record batches, CRCs) are then sent.
 *
 * <p>{@code -Dfuzz.broker.log=true} keeps the broker's log lines on the console while fuzzing (they are only
 * counted otherwise).
 *
 * <p>Afterwards: every case was answered or its connection closed (none hung, none skipped), the broker
 * still serves real clients, no answer is unreadable or UNKNOWN_SERVER_ERROR, the broker logged no error,
 * and Redis holds no partly written batch.
 */
class ProtocolFuzzIT {

    private static final long SEED = Long.getLong("fuzz.seed", 20_260_611L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 50_000);
    /** To run again a stretch of cases (or one) of a run: the first case's number. */
    private static final int FIRST = Integer.getInteger("fuzz.first", 0);
    private static final int THREADS = Integer.getInteger("fuzz.threads", 8);
    private static final int CASE_TIMEOUT_MS = Integer.getInteger("fuzz.case.timeout.ms", 4_000);
    private static final int INCOMPLETE_WAIT_MS = 20;
    private static final int MAX_REQUEST_BYTES = 104_857_600;
    private static final int SEEDS_PER_VERSION = 6;
    private static final String GROUP = "fuzz-group";

    @Test
    void everyFuzzedRequestIsAnsweredOrClosedAndNothingBreaks() throws Exception {
        long started = System.nanoTime();
        try (RecordingProxy proxy = RecordingProxy.start(20_000)) {
            Map<String, String> settings = Map.of(
                    "advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxy.port(),
                    "socket.request.max.bytes", String.valueOf(MAX_REQUEST_BYTES),
                    // Rebalances that fuzzed members start end within seconds: a member that never comes back is
                    // dropped at its session timeout, which these bound.
                    "group.initial.rebalance.delay.ms", "0",
                    "group.min.session.timeout.ms", "1000",
                    "group.max.session.timeout.ms", "3000",
                    // Retention runs every second, over whatever configs the fuzzing gave topics and the broker.
                    "log.retention.check.interval.ms", "1000");
            try (KorvetCluster cluster = KorvetCluster.start(settings)) {
                proxy.forwardTo(cluster.port());
                String bootstrap = "127.0.0.1:" + proxy.port();

                long captureStart = System.nanoTime();
                List<String> clientProblems = captureFromRealClients(bootstrap);
                proxy.stopRecording();
                long captureMs = millisSince(captureStart);

                Map<Short, short[]> advertised = advertised(cluster.port());
                List<Captured> captured = proxy.captured();
                List<Seed> seeds = new ArrayList<>();
                Map<String, Integer> origins = new TreeMap<>();
                buildSeeds(captured, advertised, seeds, origins);
                int pairs = advertised.values().stream().mapToInt(r -> r[1] - r[0] + 1).sum();
                assertThat(seeds.stream().map(s -> s.apiKey() + "/" + s.version()).distinct().count())
                        .as("a seed for every advertised API and version").isEqualTo(pairs);

                LevelCounter logs = LevelCounter.attach();
                FuzzRunner runner = new FuzzRunner(cluster.port(), advertised, MAX_REQUEST_BYTES, CASE_TIMEOUT_MS, INCOMPLETE_WAIT_MS);
                long fuzzStart = System.nanoTime();
                Witness witness = Witness.start(cluster);
                try {
                    runner.run(new FuzzCases(SEED, seeds, advertised, MAX_REQUEST_BYTES), FIRST, CASES, THREADS);
                } finally {
                    witness.stop();
                    logs.close();
                }
                long fuzzMs = millisSince(fuzzStart);

                // The broker is alive: a new connection gets ApiVersions, real clients still round-trip records.
                try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
                    ApiVersionsResponse v = c.call(RawRequests.apiVersions((short) 3));
                    assertThat(Errors.forCode(v.data().errorCode())).isEqualTo(Errors.NONE);
                }
                List<String> roundTrip = roundTrip(cluster, bootstrap);
                List<String> witnessed = witness.readBack(cluster);
                StreamIntegrity.Report streams = StreamIntegrity.check(cluster.redis().uri(), cluster.namespace());

                printSummary(runner, seeds.size(), captured.size(), origins, pairs, advertised.size(), captureMs, fuzzMs,
                        millisSince(started), logs, streams, cluster, clientProblems, witness);

                assertThat(roundTrip).as("records a real producer wrote after the fuzzing, read by a real consumer")
                        .containsExactly("after-0", "after-1", "after-2", "after-3", "after-4");
                assertThat(witness.acknowledged()).as("records the witness producer got acknowledged while fuzzing").isNotEmpty();
                assertThat(witnessed).as("the witness's acknowledged records, each once, read back after the fuzzing")
                        .containsExactlyInAnyOrderElementsOf(witness.acknowledged());
                assertThat(runner.findings()).as("hung, skipped or unreadable answers").isEmpty();
                assertThat(runner.count(Outcome.HANG)).isZero();
                assertThat(runner.count(Outcome.SKIPPED)).isZero();
                assertThat(runner.unknownServerErrors()).as("UNKNOWN_SERVER_ERROR answers").isZero();
                assertThat(logs.errors()).as("ERROR lines the broker logged, and exceptions that reached its network pipeline").isEmpty();
                assertThat(streams.problems()).as("partly written batches in Redis").isEmpty();
                assertThat(streams.batches()).as("batches written (the fuzzing wrote some)").isPositive();
                long total = Arrays.stream(Kind.values()).mapToLong(runner::count).sum();
                assertThat(total).isEqualTo(CASES);
            }
        }
    }

    /**
     * The same fuzzing against a SASL listener, before any authentication: every case is answered (ApiVersions,
     * SaslHandshake, a failed SaslAuthenticate) or closed, none hangs, and nothing is processed: Redis holds the
     * same keys afterwards as before (no topic, record, offset, credential or ACL written).
     */
    @Test
    void beforeAuthenticationNothingIsProcessed() throws Exception {
        int port = io.korvet.storage.redis.RedisServerProcess.freePort();
        Map<String, String> settings = Map.of(
                "listeners", "SASL_PLAINTEXT://127.0.0.1:" + port,
                "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-secret\";",
                "connection.failed.authentication.delay.ms", "0",
                "socket.request.max.bytes", String.valueOf(MAX_REQUEST_BYTES));
        try (KorvetCluster cluster = KorvetCluster.start(settings)) {
            Map<Short, short[]> advertised = advertised(port);
            List<Seed> seeds = new ArrayList<>();
            buildSeeds(List.of(), advertised, seeds, new TreeMap<>());
            java.util.Set<String> before = redisKeys(cluster);
            LevelCounter logs = LevelCounter.attach();
            FuzzRunner runner = new FuzzRunner(port, advertised, MAX_REQUEST_BYTES, CASE_TIMEOUT_MS, INCOMPLETE_WAIT_MS)
                    .beforeAuthentication();
            int cases = Math.max(1, CASES / 10);
            try {
                runner.run(new FuzzCases(SEED + 1, seeds, advertised, MAX_REQUEST_BYTES), 0, cases, THREADS);
            } finally {
                logs.close();
            }
            System.out.printf("[ProtocolFuzzIT] %d cases before authentication: %d answered, %d closed, %d incomplete%n", cases,
                    runner.count(Outcome.RESPONSE), runner.count(Outcome.CLOSED), runner.count(Outcome.INCOMPLETE));
            assertThat(runner.findings()).as("hung, skipped or unreadable answers").isEmpty();
            assertThat(runner.count(Outcome.HANG)).isZero();
            assertThat(runner.count(Outcome.SKIPPED)).isZero();
            assertThat(runner.count(Outcome.LONG_WAIT)).as("requests left waiting (none may be processed)").isZero();
            assertThat(runner.unknownServerErrors()).isZero();
            assertThat(logs.errors()).isEmpty();
            assertThat(redisKeys(cluster)).as("what Redis holds: nothing was processed").isEqualTo(before);
        }
    }

    private static java.util.Set<String> redisKeys(KorvetCluster cluster) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(cluster.redis().uri());
        try (var c = client.connect()) {
            return new java.util.TreeSet<>(c.sync().keys(cluster.namespace() + ":*"));
        } finally {
            client.shutdown();
        }
    }

    // ---- seeds -------------------------------------------------------------------------------------------

    /** The APIs and versions the broker advertises, from its own ApiVersions answer. */
    private static Map<Short, short[]> advertised(int port) throws Exception {
        Map<Short, short[]> out = new TreeMap<>();
        try (RawKafkaConnection c = RawKafkaConnection.open(port)) {
            ApiVersionsResponse r = c.call(RawRequests.apiVersions((short) 3));
            for (ApiVersion v : r.data().apiKeys()) {
                out.put(v.apiKey(), new short[] {v.minVersion(), v.maxVersion()});
            }
        }
        return out;
    }

    /**
     * Seeds: up to {@value #SEEDS_PER_VERSION} distinct captured frames per API and version; for a pair no client
     * sent, a captured request of the same API rewritten at that version, else kafka-clients' default request.
     */
    private static void buildSeeds(List<Captured> captured, Map<Short, short[]> advertised, List<Seed> seeds,
                                   Map<String, Integer> origins) {
        Map<String, List<byte[]>> byPair = new TreeMap<>();
        for (Captured c : captured) {
            short[] range = advertised.get(c.apiKey());
            if (range == null || c.apiVersion() < range[0] || c.apiVersion() > range[1]) {
                continue;
            }
            List<byte[]> frames = byPair.computeIfAbsent(c.apiKey() + "/" + c.apiVersion(), k -> new ArrayList<>());
            byte[] normalized = c.frame().clone();
            ByteBuffer.wrap(normalized).putInt(4, 0);
            if (frames.size() < SEEDS_PER_VERSION && frames.stream().noneMatch(f -> Arrays.equals(f, normalized))) {
                frames.add(normalized);
            }
        }
        for (Map.Entry<Short, short[]> api : advertised.entrySet()) {
            short key = api.getKey();
            for (short v = api.getValue()[0]; v <= api.getValue()[1]; v++) {
                List<byte[]> frames = byPair.get(key + "/" + v);
                if (frames != null) {
                    short version = v;
                    frames.forEach(f -> seeds.add(Seed.of(key, version, f, "captured")));
                    origins.merge("captured", frames.size(), Integer::sum);
                    continue;
                }
                byte[] crafted = rewritten(byPair, key, v);
                String origin = "rewritten from a captured version";
                ApiMessage handMade = crafted == null ? handMade(ApiKeys.forId(key)) : null;
                if (handMade != null) {
                    try {
                        crafted = serialize(key, v, handMade);
                        origin = "built with kafka-clients";
                    } catch (RuntimeException e) {
                        crafted = null;
                    }
                }
                if (crafted == null) {
                    crafted = serialize(key, v, ApiMessageType.fromApiKey(key).newRequest());
                    origin = "kafka-clients default";
                }
                seeds.add(Seed.of(key, v, crafted, origin));
                origins.merge(origin, 1, Integer::sum);
            }
        }
    }

    /**
     * Requests for the API versions no 4.3.1 client sends (an older shape of the request, or an API the Admin
     * client no longer has), built with kafka-clients' message classes; null for the others.
     */
    private static ApiMessage handMade(ApiKeys api) {
        return switch (api) {
            case ALTER_CONFIGS -> {
                AlterConfigsRequestData.AlterableConfigCollection topicConfigs = new AlterConfigsRequestData.AlterableConfigCollection();
                topicConfigs.add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("3600000"));
                topicConfigs.add(new AlterConfigsRequestData.AlterableConfig().setName("cleanup.policy").setValue("delete"));
                AlterConfigsRequestData.AlterableConfigCollection brokerConfigs = new AlterConfigsRequestData.AlterableConfigCollection();
                brokerConfigs.add(new AlterConfigsRequestData.AlterableConfig().setName("log.retention.bytes").setValue("-1"));
                AlterConfigsRequestData.AlterConfigsResourceCollection resources = new AlterConfigsRequestData.AlterConfigsResourceCollection();
                resources.add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id())
                        .setResourceName("fuzz-b").setConfigs(topicConfigs));
                resources.add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(ConfigResource.Type.BROKER.id())
                        .setResourceName("0").setConfigs(brokerConfigs));
                yield new AlterConfigsRequestData().setResources(resources).setValidateOnly(false);
            }
            case DELETE_TOPICS -> new DeleteTopicsRequestData().setTopicNames(List.of("fuzz-gone", "fuzz-b")).setTimeoutMs(30_000);
            case FIND_COORDINATOR -> new FindCoordinatorRequestData().setKey(GROUP).setKeyType((byte) 0);
            case LEAVE_GROUP -> new LeaveGroupRequestData().setGroupId(GROUP).setMemberId("fuzz-member-1");
            case OFFSET_FETCH -> new OffsetFetchRequestData().setGroupId(GROUP).setTopics(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("fuzz-a").setPartitionIndexes(List.of(0, 1, 7))));
            default -> null;
        };
    }

    /** A captured request of the same API, parsed and written again at {@code version}, or null. */
    private static byte[] rewritten(Map<String, List<byte[]>> byPair, short key, short version) {
        for (Map.Entry<String, List<byte[]>> e : byPair.entrySet()) {
            if (!e.getKey().startsWith(key + "/")) {
                continue;
            }
            for (byte[] frame : e.getValue()) {
                try {
                    ByteBuffer b = ByteBuffer.wrap(frame);
                    RequestHeader header = RequestHeader.parse(b);
                    AbstractRequest request = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
                            new ByteBufferAccessor(b)).request;
                    return serialize(key, version, request.data());
                } catch (RuntimeException ignored) {
                    // a field this version cannot carry: try another
                }
            }
        }
        return null;
    }

    private static byte[] serialize(short key, short version, ApiMessage data) {
        ApiKeys api = ApiKeys.forId(key);
        RequestHeader header = new RequestHeader(api, version, "fuzz-crafted", 0);
        ByteBuffer b = RequestUtils.serialize(header.data(), header.headerVersion(), data, version);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    // ---- real clients --------------------------------------------------------------------------------------

    /**
     * Drives real clients through the proxy so their requests are recorded: an Admin doing topic, config,
     * offset and group operations, idempotent producers with each codec, a plain producer, a consumer in a group
     * that commits and a consumer with assigned partitions. Returns the steps that failed (they are reported; the
     * seeds they would have given are built instead).
     */
    private static List<String> captureFromRealClients(String bootstrap) throws Exception {
        List<String> problems = new ArrayList<>();
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        try (Admin admin = Admin.create(ap)) {
            step(problems, "createTopics", () -> admin.createTopics(List.of(
                    new NewTopic("fuzz-a", 3, (short) 1),
                    new NewTopic("fuzz-b", 1, (short) 1).configs(Map.of("retention.ms", "3600000", "cleanup.policy", "delete",
                            "max.message.bytes", "200000")),
                    new NewTopic("fuzz-gone", 1, (short) 1))).all().get(20, TimeUnit.SECONDS));
            step(problems, "listTopics", () -> admin.listTopics().names().get(20, TimeUnit.SECONDS));
            step(problems, "describeTopics", () -> admin.describeTopics(List.of("fuzz-a", "fuzz-b")).allTopicNames().get(20, TimeUnit.SECONDS));
            step(problems, "describeCluster", () -> admin.describeCluster().nodes().get(20, TimeUnit.SECONDS));
            step(problems, "describeConfigs", () -> admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "fuzz-a"),
                    new ConfigResource(ConfigResource.Type.BROKER, "0"))).all().get(20, TimeUnit.SECONDS));
            step(problems, "incrementalAlterConfigs", () -> admin.incrementalAlterConfigs(Map.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, "fuzz-b"),
                    List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET),
                            new AlterConfigOp(new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE),
                            new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.APPEND)),
                    new ConfigResource(ConfigResource.Type.BROKER, "0"),
                    List.of(new AlterConfigOp(new ConfigEntry("log.retention.ms", "86400000"), AlterConfigOp.OpType.SET))))
                    .all().get(20, TimeUnit.SECONDS));
            step(problems, "createPartitions", () -> admin.createPartitions(Map.of("fuzz-a", NewPartitions.increaseTo(4)))
                    .all().get(20, TimeUnit.SECONDS));
            step(problems, "listPartitionReassignments", () -> admin.listPartitionReassignments().reassignments().get(20, TimeUnit.SECONDS));
            step(problems, "deleteTopics", () -> admin.deleteTopics(List.of("fuzz-gone")).all().get(20, TimeUnit.SECONDS));

            produceWithEveryCodec(bootstrap, problems);
            consumeInGroup(bootstrap, problems);

            TopicPartition a0 = new TopicPartition("fuzz-a", 0);
            TopicPartition b0 = new TopicPartition("fuzz-b", 0);
            step(problems, "listOffsets", () -> admin.listOffsets(Map.of(a0, OffsetSpec.earliest(), b0, OffsetSpec.latest(),
                    new TopicPartition("fuzz-a", 1), OffsetSpec.maxTimestamp(),
                    new TopicPartition("fuzz-a", 2), OffsetSpec.forTimestamp(System.currentTimeMillis() - 60_000)))
                    .all().get(20, TimeUnit.SECONDS));
            step(problems, "deleteRecords", () -> admin.deleteRecords(Map.of(b0, RecordsToDelete.beforeOffset(1)))
                    .all().get(20, TimeUnit.SECONDS));
            step(problems, "listConsumerGroups", () -> admin.listConsumerGroups().all().get(20, TimeUnit.SECONDS));
            step(problems, "describeConsumerGroups", () -> admin.describeConsumerGroups(List.of(GROUP)).all().get(20, TimeUnit.SECONDS));
            step(problems, "listConsumerGroupOffsets", () -> admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                    .get(20, TimeUnit.SECONDS));
            step(problems, "deleteConsumerGroupOffsets", () -> admin.deleteConsumerGroupOffsets(GROUP, Set.of(b0))
                    .all().get(20, TimeUnit.SECONDS));
            step(problems, "deleteConsumerGroups", () -> admin.deleteConsumerGroups(List.of(GROUP + "-assign"))
                    .all().get(20, TimeUnit.SECONDS));
        }
        return problems;
    }

    private static void produceWithEveryCodec(String bootstrap, List<String> problems) {
        record Setup(String codec, boolean idempotent) {
        }
        List<Setup> setups = List.of(new Setup("zstd", true), new Setup("gzip", true), new Setup("lz4", true),
                new Setup("snappy", true), new Setup("none", true), new Setup("none", false));
        for (Setup s : setups) {
            Properties p = Clients.producer(bootstrap, StringSerializer.class);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, s.codec);
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, s.idempotent);
            p.put(ProducerConfig.ACKS_CONFIG, s.idempotent ? "all" : "1");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            step(problems, "produce " + s, () -> {
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                    for (int i = 0; i < 12; i++) {
                        ProducerRecord<String, String> r = new ProducerRecord<>(i % 3 == 0 ? "fuzz-b" : "fuzz-a", i % 4 == 0 ? null : "key-" + i,
                                s.codec + " value " + i + " " + "x".repeat(i * 7));
                        if (i % 2 == 0) {
                            r.headers().add("h" + i, ("header " + i).getBytes(StandardCharsets.UTF_8)).add("empty", null);
                        }
                        sent.add(producer.send(r));
                    }
                    producer.flush();
                    for (var f : sent) {
                        f.get(20, TimeUnit.SECONDS);
                    }
                }
                return null;
            });
        }
    }

    private static void consumeInGroup(String bootstrap, List<String> problems) {
        Properties p = consumerProps(bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3_000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 5_000);
        step(problems, "consume in a group and commit", () -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                consumer.subscribe(List.of("fuzz-a", "fuzz-b"));
                int read = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (read < 20 && System.nanoTime() < deadline) {
                    read += consumer.poll(Duration.ofMillis(200)).count();
                }
                consumer.commitSync(Duration.ofSeconds(10));
                consumer.committed(consumer.assignment(), Duration.ofSeconds(10));
                // Long enough for heartbeats (every 500 ms) to be sent and recorded.
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
                while (System.nanoTime() < until) {
                    consumer.poll(Duration.ofMillis(100));
                }
                if (read == 0) {
                    throw new AssertionError("the group consumer read nothing");
                }
            }
            return null;
        });
        Properties q = consumerProps(bootstrap);
        q.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP + "-assign");
        step(problems, "consume assigned partitions", () -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(q)) {
                TopicPartition a1 = new TopicPartition("fuzz-a", 1);
                TopicPartition b0 = new TopicPartition("fuzz-b", 0);
                consumer.assign(List.of(a1, b0));
                consumer.offsetsForTimes(Map.of(a1, System.currentTimeMillis() - 60_000), Duration.ofSeconds(10));
                consumer.seekToEnd(List.of(b0));
                consumer.position(b0, Duration.ofSeconds(10));
                // A position with a leader epoch makes the consumer validate it (OffsetForLeaderEpoch).
                consumer.seek(a1, new OffsetAndMetadata(1, Optional.of(0), ""));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < deadline && consumer.poll(Duration.ofMillis(100)).isEmpty()) {
                    // until it reads
                }
                consumer.commitSync(Duration.ofSeconds(10));
            }
            return null;
        });
    }

    private static Properties consumerProps(String bootstrap) {
        Properties p = Clients.readingFromTheStart(bootstrap, StringDeserializer.class);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        return p;
    }

    private static void step(List<String> problems, String what, Callable<?> action) {
        try {
            action.call();
        } catch (Exception | AssertionError e) {
            problems.add(what + ": " + e);
        }
    }

    /** A real producer and consumer, after the fuzzing, on a topic of their own. */
    private static List<String> roundTrip(KorvetCluster cluster, String bootstrap) throws Exception {
        cluster.createTopic("after-fuzz", 1);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"))) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("after-fuzz", "k" + i, "after-" + i)).get(20, TimeUnit.SECONDS);
            }
        }
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            TopicPartition tp = new TopicPartition("after-fuzz", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (values.size() < 5 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    /**
     * A real idempotent producer writing to a topic of its own all through the fuzzing, so that valid appends
     * interleave with fuzzed ones; every record it got acknowledged must be read back once.
     */
    static final class Witness {
        private static final String TOPIC = "fuzz-witness";
        private final KafkaProducer<String, String> producer;
        private final Thread thread;
        private final List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
        private final LongAdder failed = new LongAdder();
        private volatile boolean running = true;

        private Witness(KafkaProducer<String, String> producer) {
            this.producer = producer;
            this.thread = new Thread(this::produce, "fuzz-witness");
            this.thread.setDaemon(true);
        }

        static Witness start(KorvetCluster cluster) throws Exception {
            try (Admin admin = cluster.admin()) {
                // Its own retention settings: fuzzed broker configs (log.retention.*) must not remove its records.
                admin.createTopics(List.of(new NewTopic(TOPIC, 4, (short) 1)
                        .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1")))).all().get(20, TimeUnit.SECONDS);
            }
            Witness w = new Witness(cluster.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                    ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000)));
            w.thread.start();
            return w;
        }

        private void produce() {
            for (int i = 0; running && i < 1_000_000; i++) {
                String value = "witness-" + i + "-" + "w".repeat(i % 50);
                producer.send(new ProducerRecord<>(TOPIC, i % 5 == 0 ? null : "k" + (i % 17), value), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.add(value);
                    } else {
                        failed.increment();
                    }
                });
                try {
                    Thread.sleep(4);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
            producer.flush();
            producer.close(Duration.ofSeconds(30));
        }

        List<String> acknowledged() {
            synchronized (acknowledged) {
                return List.copyOf(acknowledged);
            }
        }

        long failed() {
            return failed.sum();
        }

        List<String> readBack(KorvetCluster cluster) {
            List<String> values = new ArrayList<>();
            int expected = acknowledged().size();
            try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (int p = 0; p < 4; p++) {
                    partitions.add(new TopicPartition(TOPIC, p));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int idle = 0;
                while (System.nanoTime() < deadline && (values.size() < expected || idle < 3)) {
                    var records = consumer.poll(Duration.ofMillis(200));
                    idle = records.isEmpty() ? idle + 1 : 0;
                    records.forEach(r -> values.add(r.value()));
                }
            }
            return values;
        }
    }

    // ---- report --------------------------------------------------------------------------------------------

    private static void printSummary(FuzzRunner runner, int seeds, int captured, Map<String, Integer> origins, int pairs,
                                     int apis, long captureMs, long fuzzMs, long totalMs, LevelCounter logs,
                                     StreamIntegrity.Report streams, KorvetCluster cluster, List<String> clientProblems,
                                     Witness witness) {
        StringBuilder s = new StringBuilder();
        s.append("\n==== ProtocolFuzzIT summary ====\n");
        s.append(String.format("seed %d, %,d cases on %d connections in parallel, case time limit %d ms%n", SEED, CASES, THREADS, CASE_TIMEOUT_MS));
        s.append(String.format("advertised: %d APIs, %d API versions; seeds: %d (%s) from %,d captured client frames%n",
                apis, pairs, seeds, origins, captured));
        if (!clientProblems.isEmpty()) {
            s.append("client steps that failed while capturing: ").append(clientProblems).append('\n');
        }
        s.append(String.format("%-26s %8s", "kind", "cases"));
        for (Outcome o : Outcome.values()) {
            s.append(String.format(" %15s", o.name().toLowerCase()));
        }
        s.append('\n');
        for (Kind k : Kind.values()) {
            s.append(String.format("%-26s %,8d", k.name(), runner.count(k)));
            for (Outcome o : Outcome.values()) {
                s.append(String.format(" %,15d", runner.count(k, o)));
            }
            s.append('\n');
        }
        s.append(String.format("%-26s %,8d", "TOTAL", CASES));
        for (Outcome o : Outcome.values()) {
            s.append(String.format(" %,15d", runner.count(o)));
        }
        s.append('\n');
        s.append("answers by API: ").append(runner.respondedApis()).append('\n');
        s.append("error codes in answers: ").append(runner.errorCodes()).append('\n');
        s.append(String.format("witness producer alongside: %,d records acknowledged, %,d sends failed%n",
                witness.acknowledged().size(), witness.failed()));
        s.append(String.format("connections opened: %,d; broker log lines while fuzzing: %s%n", runner.connections(), logs.counts()));
        s.append(String.format("Redis: %,d keys, %,d partition streams, %,d entries in %,d batches, %d problems%n",
                streams.keys(), streams.streams(), streams.entries(), streams.batches(), streams.problems().size()));
        s.append("listener after: ").append(cluster.broker().listenerStats()).append('\n');
        s.append(String.format("time: capture %.1f s, fuzzing %.1f s (%,.0f cases/s), whole test %.1f s%n",
                captureMs / 1000.0, fuzzMs / 1000.0, CASES * 1000.0 / Math.max(1, fuzzMs), totalMs / 1000.0));
        s.append("slowest cases:\n");
        runner.slowest().forEach(line -> s.append("  ").append(line).append('\n'));
        for (FuzzRunner.Finding f : runner.findings()) {
            s.append("FINDING ").append(f).append('\n');
        }
        for (String e : logs.errors()) {
            s.append("BROKER ERROR ").append(e).append('\n');
        }
        for (String p : streams.problems()) {
            s.append("REDIS ").append(p).append('\n');
        }
        System.out.println(s);
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /**
     * Counts what the broker logs under {@code io.korvet} by level and keeps its ERROR lines, and the WARN lines
     * of exceptions that reached the network pipeline (except resets, which the fuzzer causes itself). While attached,
     * those lines stay out of the console (tens of thousands of closed connections are logged at WARN).
     */
    static final class LevelCounter extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final Map<Level, LongAdder> counts = new ConcurrentHashMap<>();
        private final LongAdder pipelineErrors = new LongAdder();
        private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Logger logger;
        private final boolean additive;

        private LevelCounter() {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            this.logger = context.getLogger("io.korvet");
            this.additive = logger.isAdditive();
            setContext(context);
            setName("fuzz-level-counter");
        }

        static LevelCounter attach() {
            LevelCounter counter = new LevelCounter();
            counter.start();
            counter.logger.addAppender(counter);
            counter.logger.setAdditive(Boolean.getBoolean("fuzz.broker.log"));
            return counter;
        }

        @Override
        protected void append(ILoggingEvent event) {
            counts.computeIfAbsent(event.getLevel(), l -> new LongAdder()).increment();
            if (event.getLevel() == Level.WARN && event.getFormattedMessage().contains("after an error")
                    && !event.getFormattedMessage().contains("Connection reset by peer")) {
                // An exception that reached the network pipeline: nothing should get that far.
                pipelineErrors.increment();
                if (errors.size() < 50) {
                    errors.add(event.getLoggerName() + ": " + event.getFormattedMessage());
                }
            }
            if (event.getLevel().isGreaterOrEqual(Level.ERROR) && errors.size() < 50) {
                String trace = event.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
                errors.add(event.getLoggerName() + ": " + event.getFormattedMessage() + trace);
            }
        }

        Map<String, Long> counts() {
            Map<String, Long> out = new TreeMap<>();
            counts.forEach((level, n) -> out.put(level.toString(), n.sum()));
            out.put("WARN exceptions in the pipeline", pipelineErrors.sum());
            return out;
        }

        List<String> errors() {
            synchronized (errors) {
                return List.copyOf(errors);
            }
        }

        @Override
        public void close() {
            logger.setAdditive(additive);
            logger.detachAppender(this);
            stop();
        }
    }
}
