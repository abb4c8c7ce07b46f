package io.korvet.http;

import io.korvet.dispatch.RequestObserver;
import io.korvet.network.ListenerStats;
import io.korvet.storage.redis.RedisCommandObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The broker's metrics, in Micrometer's Prometheus registry: requests by API, version and error with their latency,
 * records and bytes produced and fetched by topic, the listeners' load, Redis commands' latency by command and Redis
 * failures by kind, and the JVM's and process's own. Labels are bounded: APIs, versions, error codes, Redis commands
 * and failure kinds are finite, topics are the existing ones (forgotten when deleted).
 */
public final class BrokerMetrics implements RequestObserver, io.korvet.handler.TopicTraffic, RedisCommandObserver {

    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10)};
    /** A Redis command takes tens of microseconds on a quiet loopback: the request buckets, and 50 µs below them. */
    private static final Duration[] REDIS_LATENCY_BUCKETS = Stream.concat(Stream.of(Duration.ofNanos(50_000)),
            Arrays.stream(LATENCY_BUCKETS)).toArray(Duration[]::new);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Long, Counter> requests = new ConcurrentHashMap<>();
    private final Map<ApiKeys, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();
    private final Map<Errors, Counter> produceErrors = new ConcurrentHashMap<>();
    private final Map<Failure, Counter> redisErrors = new EnumMap<>(Failure.class);
    private final Map<String, Counter[]> throttles = new ConcurrentHashMap<>();

    /** The counters of one topic. */
    private record TopicMeters(Counter recordsProduced, Counter bytesProduced, Counter recordsFetched, Counter bytesFetched) {
    }

    public BrokerMetrics(Supplier<ListenerStats> listeners) {
        // Two of the binder's series that Prometheus's promtool lints (an abbreviated unit, a "_count" gauge); the
        // same facts are in process_cpu_usage and system_cpu_usage.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("korvet.connections", () -> listeners.get().openConnections())
                .description("open client connections, over all listeners").register(registry);
        Gauge.builder("korvet.requests.in.flight", () -> listeners.get().inFlightRequests())
                .description("requests read and not yet answered").register(registry);
        Gauge.builder("korvet.requests.queued", () -> listeners.get().queuedRequestBytes()).baseUnit("bytes")
                .description("bytes of requests read and not yet answered (bounded by queued.max.request.bytes)").register(registry);
        // Every kind from the start, at 0, so that rate() and increase() see the first failure.
        for (Failure kind : Failure.values()) {
            redisErrors.put(kind, Counter.builder("korvet.redis.errors")
                    .description("Redis failures by kind: timeout, connection (not connected, connection lost), reply (an error"
                            + " reply: ERR, NOSCRIPT, LOADING, OOM...), other")
                    .tags("kind", kind.label()).register(registry));
        }
    }

    /** A Redis command's latency histogram; Redis connections keep the sink per command type. */
    @Override
    public LongConsumer latencies(String command) {
        Timer timer = Timer.builder("korvet.redis.command.latency")
                .description("time from writing a Redis command to reading its whole reply, by command (inside MULTI: to QUEUED)")
                .tags("command", command).serviceLevelObjectives(REDIS_LATENCY_BUCKETS)
                .minimumExpectedValue(REDIS_LATENCY_BUCKETS[0]).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void failed(Failure kind) {
        redisErrors.get(kind).increment();
    }

    @Override
    public void answered(ApiKeys api, short version, Errors error, long nanos) {
        long key = ((long) api.id << 32) | ((long) (version & 0xffff) << 16) | (error.code() & 0xffff);
        requests.computeIfAbsent(key, k -> Counter.builder("korvet.requests")
                .description("requests answered, by API, version and error code (NONE: no error)")
                .tags("api", api.name, "version", Short.toString(version), "error", error.name())
                .register(registry)).increment();
        latencies.computeIfAbsent(api, a -> Timer.builder("korvet.request.latency")
                .description("time from reading a request to having its answer, by API")
                .tags("api", a.name).serviceLevelObjectives(LATENCY_BUCKETS)
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A client throttled for {@code ms} by its {@code quota} (producer_byte_rate, consumer_byte_rate). */
    public void throttled(String quota, int ms) {
        Counter[] c = throttles.computeIfAbsent(quota, q -> new Counter[] {
            Counter.builder("korvet.quota.throttles").description("responses throttled by a client quota, by quota")
                    .tags("quota", q).register(registry),
            Counter.builder("korvet.quota.throttle.time").baseUnit("seconds")
                    .description("time clients were throttled for by a client quota, by quota").tags("quota", q).register(registry)});
        c[0].increment();
        c[1].increment(ms / 1000.0);
    }

    private TopicMeters topic(String name) {
        return topics.computeIfAbsent(name, t -> new TopicMeters(
                Counter.builder("korvet.records.produced").description("records appended, by topic").tags("topic", t).register(registry),
                Counter.builder("korvet.bytes.produced").baseUnit("bytes").description("record batch bytes appended, by topic")
                        .tags("topic", t).register(registry),
                Counter.builder("korvet.records.fetched").description("records handed to consumers, by topic").tags("topic", t)
                        .register(registry),
                Counter.builder("korvet.bytes.fetched").baseUnit("bytes").description("record batch bytes handed to consumers,"
                        + " by topic").tags("topic", t).register(registry)));
    }

    @Override
    public void produced(String topic, long records, long bytes) {
        TopicMeters m = topic(topic);
        m.recordsProduced.increment(records);
        m.bytesProduced.increment(bytes);
    }

    @Override
    public void fetched(String topic, long records, long bytes) {
        TopicMeters m = topic(topic);
        m.recordsFetched.increment(records);
        m.bytesFetched.increment(bytes);
    }

    /** A partition produce that failed, by Kafka error code. */
    @Override
    public void produceFailed(Errors error) {
        produceErrors.computeIfAbsent(error, e -> Counter.builder("korvet.produce.errors")
                .description("partition produces answered with an error, by code").tags(Tags.of("error", e.name()))
                .register(registry)).increment();
    }

    /** Records produced and fetched so far by this broker, by topic: {produced, fetched}. */
    public Map<String, double[]> topicTotals() {
        Map<String, double[]> out = new java.util.HashMap<>();
        topics.forEach((name, m) -> out.put(name, new double[] {m.recordsProduced.count(), m.recordsFetched.count()}));
        return out;
    }

    /** Drops a deleted topic's series. */
    public void forgetTopic(String topic) {
        TopicMeters m = topics.remove(topic);
        if (m != null) {
            registry.remove(m.recordsProduced);
            registry.remove(m.bytesProduced);
            registry.remove(m.recordsFetched);
            registry.remove(m.bytesFetched);
        }
    }

    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    private volatile StateGauges state;

    /** Adds the partition and group gauges, read from the broker's state at each scrape. */
    public void watch(io.korvet.log.LogManager logs, java.util.function.Predicate<org.apache.kafka.common.TopicPartition> leads,
                      io.korvet.group.GroupCoordinator groups) {
        state = new StateGauges(logs, leads, groups);
    }

    /**
     * The Prometheus text format of every metric, the groups' committed offsets read first. The text is written on
     * {@code executor} (the HTTP listener's own thread), never on a Redis connection's, whose replies would wait.
     */
    public java.util.concurrent.CompletionStage<CharSequence> scrape(java.util.concurrent.Executor executor) {
        StateGauges s = state;
        if (s == null) {
            return java.util.concurrent.CompletableFuture.supplyAsync(registry::scrape, executor);
        }
        return s.refresh().handleAsync((v, e) -> {
            String registered = registry.scrape();
            StringBuilder out = new StringBuilder(registered.length() + lastStateLength + 4096).append(registered);
            s.writeTo(out);
            lastStateLength = out.length() - registered.length();
            return out;
        }, executor);
    }

    /** The length of the state gauges' text at the last scrape, to size the next one's buffer. */
    private volatile int lastStateLength;
}
