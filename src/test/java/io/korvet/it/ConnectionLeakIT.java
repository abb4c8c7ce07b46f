package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.korvet.network.ListenerStats;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Clients that vanish half-way through a request, or before its answer, and a thousand connections that
 * sit idle: once they are gone the broker holds nothing for them. After each phase the listener is back to
 * its connections of before, with no request or request byte left queued; Redis has the same clients and
 * none blocked, and gets no command from the broker while nobody asks for anything; the JVM has no more
 * threads or file descriptors than before; and Netty's leak detector, at its paranoid level, saw no buffer
 * dropped unreleased. Meanwhile a real producer and consumer keep sending and reading records, and must
 * not notice.
 *
 * <p>The thousand idle connections take two file descriptors each in this JVM (client and broker side).
 * HotSpot on Linux raises its soft descriptor limit to the hard limit at start-up (-XX:+MaxFDLimit, on by
 * default), so a machine whose shell default is 1,024 still gives it enough.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectionLeakIT {

    private static final int HALF_FRAME_CLIENTS = 200;
    private static final int IDLE_CONNECTIONS = 1_000;
    private static final Duration SETTLE = Duration.ofSeconds(20);
    /** Threads and descriptors that may come and go without any connection holding them (pools, timers). */
    private static final int THREAD_SLACK = 8;
    private static final int FD_SLACK = 8;

    private static final String ROUND_TRIPS = "round-trips";
    private static final String HALF_FRAMES = "half-frames";
    private static final String IDLE_FETCH = "idle-fetch";
    private static final String ABANDONED_PRODUCE = "abandoned-produce";
    private static final String RESET_PRODUCE = "reset-produce";
    private static final String ABANDONED_PIPELINE = "abandoned-pipeline";

    static NettyLeakWatch leakWatch;
    static KorvetCluster cluster;
    static RedisInfo redis;
    static RoundTripLoop roundTrips;
    static Uuid idleFetchTopicId;
    static Snapshot baseline;

    /** What the broker's process and its Redis hold at one moment. */
    record Snapshot(ListenerStats listener, long redisClients, long redisBlockedClients, int threads, long fileDescriptors) {
        @Override
        public String toString() {
            return "connections=" + listener.openConnections() + " inFlight=" + listener.inFlightRequests()
                    + " queuedBytes=" + listener.queuedRequestBytes() + " redisClients=" + redisClients
                    + " redisBlocked=" + redisBlockedClients + " threads=" + threads + " fds=" + fileDescriptors;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        leakWatch = NettyLeakWatch.begin();
        leakWatch.proveLive();
        long needed = openFileDescriptors() + 2L * IDLE_CONNECTIONS + 500;
        assertThat(softFileLimit()).as("this JVM's open-file limit must hold %d idle connections at both ends", IDLE_CONNECTIONS)
                .isGreaterThanOrEqualTo(needed);

        // No retention pass may run during the checks that Redis gets no command from an idle broker.
        // Nothing on a timer either: no retention pass, no registry poll, no heartbeat, and no web console, whose
        // traffic history reads every group's lag from Redis every 5 s, within the quiet second.
        cluster = KorvetCluster.start(Map.of("log.retention.check.interval.ms", "3600000", "korvet.registry.poll.ms", "3600000",
                "broker.heartbeat.interval.ms", "3600000", "broker.session.timeout.ms", "7200000", "korvet.http.listener", "none"));
        try (Admin admin = cluster.admin()) {
            CreateTopicsResult created = admin.createTopics(Stream.of(ROUND_TRIPS, HALF_FRAMES, IDLE_FETCH, ABANDONED_PRODUCE,
                    RESET_PRODUCE, ABANDONED_PIPELINE).map(t -> new NewTopic(t, 1, (short) 1)).toList());
            created.all().get(30, TimeUnit.SECONDS);
            idleFetchTopicId = created.topicId(IDLE_FETCH).get();
        }
        roundTrips = RoundTripLoop.start(cluster, ROUND_TRIPS);
        roundTrips.awaitMore(20);
        roundTrips.takeSlowestMillis(); // the first round trips include the clients' start-up
        redis = RedisInfo.connect(cluster.redis().port());

        // Start every event loop thread and pool the phases may use before counting threads.
        int before = cluster.broker().listenerStats().openConnections();
        runInParallel(32, i -> {
            try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
                c.call(RawRequests.apiVersions((short) 3));
                c.call(RawRequests.metadataAllTopics());
            }
        });
        roundTrips.pause();
        try {
            await().atMost(SETTLE).until(() -> cluster.broker().listenerStats().openConnections() == before
                    && cluster.broker().listenerStats().inFlightRequests() == 0);
            baseline = snapshot();
        } finally {
            roundTrips.resume();
        }
        System.out.printf("[ConnectionLeakIT] baseline: %s, open-file limit %d%n", baseline, softFileLimit());
    }

    @AfterAll
    static void stop() {
        if (roundTrips != null) {
            roundTrips.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (leakWatch != null) {
            leakWatch.close();
        }
    }

    @Test
    @Order(1)
    void halfWrittenFramesThenGoneLeaveNothingBehind() throws Exception {
        long roundTripsBefore = roundTrips.completed();
        byte[] metadata = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(RawRequests.metadataAllTopics(), 1));
        byte[] produce = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(
                RawRequests.produce((short) 1, HALF_FRAMES, Map.of(0, RawRequests.records("x".repeat(64 * 1024)))), 1));
        List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        try {
            runInParallel(HALF_FRAME_CLIENTS, i -> {
                Socket s = connect();
                sockets.add(s);
                byte[] part = switch (i % 4) {
                    case 0 -> Arrays.copyOf(metadata, 2); // half the size prefix
                    case 1 -> Arrays.copyOf(metadata, metadata.length / 2);
                    case 2 -> Arrays.copyOf(produce, produce.length / 2); // 32 KiB waiting for the rest
                    default -> Arrays.copyOf(produce, produce.length - 1); // all but the last byte, then a reset
                };
                if (i % 4 == 3) {
                    s.setSoLinger(true, 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(part);
                out.flush();
            });
            await().atMost(SETTLE).until(() -> cluster.broker().listenerStats().openConnections()
                    == baseline.listener().openConnections() + HALF_FRAME_CLIENTS);
            // Give the broker time to read every partial frame into its buffers before the clients vanish.
            Thread.sleep(500);
            roundTrips.awaitMore(5);
            System.out.printf("[ConnectionLeakIT] %d half-written frames held: %s%n", HALF_FRAME_CLIENTS, snapshot());
        } finally {
            closeAll(sockets);
        }
        assertNothingLeft("half-written frames", roundTripsBefore);
        assertThat(RedisProbe.streamLength(cluster, HALF_FRAMES, 0)).as("no half-written produce is ever appended").isZero();
    }

    @Test
    @Order(2)
    void requestsWhoseClientLeftBeforeTheAnswerLeaveNothingBehind() throws Exception {
        long roundTripsBefore = roundTrips.completed();
        int idleFetches = 40;
        int greedyFetches = 10;
        int pipelines = 20;
        int abandonedProduces = 40;
        int resetProduces = 20;
        List<Socket> waiting = Collections.synchronizedList(new ArrayList<>());
        try {
            // Long polls with a minute to wait: at the end of an empty topic (half by name, half by id), and for
            // more bytes than the busy round-trip topic will ever hold, woken by every record it gets.
            runInParallel(idleFetches + greedyFetches + pipelines, i -> {
                Socket s = connect();
                waiting.add(s);
                byte[] bytes;
                if (i < idleFetches) {
                    AbstractRequest fetch = i % 2 == 0
                            ? RawRequests.fetch(IDLE_FETCH, 0, 0, 60_000, 1)
                            : RawRequests.fetchById(idleFetchTopicId, 0, 0, 60_000, 1);
                    bytes = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(fetch, i));
                } else if (i < idleFetches + greedyFetches) {
                    bytes = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(
                            RawRequests.fetch(ROUND_TRIPS, 0, 0, 60_000, 100 * 1024 * 1024), i));
                } else {
                    // A produce, a long poll behind it, and the start of a third request.
                    byte[] produce = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(
                            RawRequests.produce((short) 1, ABANDONED_PIPELINE, Map.of(0, RawRequests.records("pipelined-" + i))), 1));
                    byte[] fetch = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(
                            RawRequests.fetch(IDLE_FETCH, 0, 0, 60_000, 1), 2));
                    byte[] next = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(RawRequests.metadataAllTopics(), 3));
                    bytes = concat(produce, fetch, Arrays.copyOf(next, next.length / 2));
                }
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
            });
            int held = idleFetches + greedyFetches + pipelines;
            await().atMost(SETTLE).until(() -> cluster.broker().listenerStats().inFlightRequests() >= held);
            roundTrips.awaitMore(5);
            System.out.printf("[ConnectionLeakIT] %d long polls waiting: %s%n", held, snapshot());

            // Whole produce requests whose clients leave at once: closed normally, or reset.
            runInParallel(abandonedProduces + resetProduces, i -> {
                boolean reset = i >= abandonedProduces;
                String[] values = new String[10];
                for (int v = 0; v < values.length; v++) {
                    values[v] = "abandoned-" + i + "-" + v + "-" + "y".repeat(1000);
                }
                short acks = (short) (i % 2 == 0 ? 1 : -1);
                byte[] bytes = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(RawRequests.produce(acks,
                        reset ? RESET_PRODUCE : ABANDONED_PRODUCE, Map.of(0, RawRequests.records(values))), i));
                try (Socket s = connect()) {
                    if (reset) {
                        s.setSoLinger(true, 0);
                    }
                    s.getOutputStream().write(bytes);
                    s.getOutputStream().flush();
                }
            });
        } finally {
            closeAll(waiting);
        }
        assertNothingLeft("requests abandoned before their answer", roundTripsBefore);
        assertThat(RedisProbe.streamLength(cluster, ABANDONED_PRODUCE, 0))
                .as("a whole produce request is appended once even if its client leaves before the answer")
                .isEqualTo(abandonedProduces * 10L);
        assertThat(RedisProbe.streamLength(cluster, ABANDONED_PIPELINE, 0)).isEqualTo(pipelines);
        long afterReset = RedisProbe.streamLength(cluster, RESET_PRODUCE, 0);
        assertThat(afterReset).isBetween(0L, resetProduces * 10L);
        System.out.printf("[ConnectionLeakIT] records appended for clients that reset their connection: %d of %d%n",
                afterReset, resetProduces * 10);
    }

    @Test
    @Order(3)
    void aThousandIdleConnectionsLeaveNothingBehind() throws Exception {
        long roundTripsBefore = roundTrips.completed();
        List<RawKafkaConnection> idle = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        try {
            runInParallel(IDLE_CONNECTIONS, i -> {
                RawKafkaConnection c = RawKafkaConnection.open(cluster.port());
                idle.add(c);
                if (i % 4 == 0) {
                    ApiVersionsResponse versions = c.call(RawRequests.apiVersions((short) 3));
                    assertThat(Errors.forCode(versions.data().errorCode())).isEqualTo(Errors.NONE);
                }
            });
            await().atMost(SETTLE).until(() -> cluster.broker().listenerStats().openConnections()
                    == baseline.listener().openConnections() + IDLE_CONNECTIONS);
            long openedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            long beforeHold = roundTrips.completed();
            Thread.sleep(3_000);
            roundTrips.awaitMore(1);
            Snapshot held = snapshot();
            System.out.printf("[ConnectionLeakIT] %d idle connections opened in %d ms and held 3 s: %s, round trips meanwhile %d%n",
                    IDLE_CONNECTIONS, openedMillis, held, roundTrips.completed() - beforeHold);
            assertThat(held.threads()).as("no thread per connection").isLessThanOrEqualTo(baseline.threads() + THREAD_SLACK);
            // One more client is still served while they sit there.
            try (RawKafkaConnection extra = RawKafkaConnection.open(cluster.port())) {
                MetadataResponse metadata = extra.call(RawRequests.metadataAllTopics());
                assertThat(metadata.topicMetadata()).extracting(t -> t.topic()).contains(ROUND_TRIPS);
            }
            // The idle connections that exchanged ApiVersions still answer.
            for (int i = 0; i < 10; i++) {
                RawKafkaConnection c = idle.get(i * 7);
                int id = c.send(RawRequests.apiVersions((short) 3));
                assertThat(c.receive(ApiKeys.API_VERSIONS, (short) 3).correlationId()).isEqualTo(id);
            }
        } finally {
            synchronized (idle) {
                idle.forEach(RawKafkaConnection::close);
            }
        }
        assertNothingLeft("a thousand idle connections", roundTripsBefore);
    }

    /**
     * Waits (bounded) for the broker to be back where it started, with the round-trip loop paused so that
     * its own requests are not counted, then checks that Redis gets no command while nobody asks anything.
     */
    private static void assertNothingLeft(String phase, long roundTripsBefore) throws Exception {
        assertThat(roundTrips.failures()).as("the producer and consumer beside the phase").isEmpty();
        roundTrips.pause();
        try {
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                ListenerStats s = cluster.broker().listenerStats();
                assertThat(s.openConnections()).as("open connections").isEqualTo(baseline.listener().openConnections());
                assertThat(s.inFlightRequests()).as("unanswered requests").isZero();
                assertThat(s.queuedRequestBytes()).as("queued request bytes").isZero();
            });
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Snapshot now = snapshot();
                assertThat(now.redisClients()).as("Redis clients").isEqualTo(baseline.redisClients());
                assertThat(now.redisBlockedClients()).as("Redis blocked clients").isZero();
                assertThat(now.threads()).as("JVM threads").isLessThanOrEqualTo(baseline.threads() + THREAD_SLACK);
                assertThat(now.fileDescriptors()).as("open file descriptors")
                        .isLessThanOrEqualTo(baseline.fileDescriptors() + FD_SLACK);
            });
            long first = redis.number("stats", "total_commands_processed");
            Thread.sleep(1_000);
            // The second INFO counts the first one, and nothing else should have run.
            long commands = redis.number("stats", "total_commands_processed") - first - 1;
            Snapshot after = snapshot();
            List<String> leaks = leakWatch.leaks();
            System.out.printf("[ConnectionLeakIT] after %s: %s (baseline %s); Redis commands in a quiet second: %d;"
                            + " round trips during the phase: %d, slowest %d ms; Netty leaks: %d%n",
                    phase, after, baseline, commands, roundTrips.completed() - roundTripsBefore, roundTrips.takeSlowestMillis(), leaks.size());
            assertThat(commands).as("Redis commands from the broker while no client asks anything").isZero();
            assertThat(leaks).as("Netty buffers garbage-collected without being released").isEmpty();
        } finally {
            roundTrips.resume();
        }
    }

    private static Snapshot snapshot() throws IOException {
        return new Snapshot(cluster.broker().listenerStats(),
                redis.number("clients", "connected_clients"),
                redis.number("clients", "blocked_clients"),
                ManagementFactory.getThreadMXBean().getThreadCount(),
                openFileDescriptors());
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** The soft "Max open files" limit of this process. */
    private static long softFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("no open-file limit in /proc/self/limits");
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setSoTimeout(5_000);
            s.connect(new InetSocketAddress("127.0.0.1", cluster.port()), 5_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static void closeAll(List<Socket> sockets) {
        synchronized (sockets) {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** A client's part of a phase, numbered from 0. */
    interface ClientTask {
        void run(int index) throws Exception;
    }

    /** Runs {@code count} client tasks on a few threads, bounded in time, and fails on the first failure. */
    private static void runInParallel(int count, ClientTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    task.run(index);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
