package io.korvet.it;

import static io.korvet.it.RawRequests.FETCH_BY_ID;
import static io.korvet.it.RawRequests.FETCH_BY_NAME;
import static io.korvet.it.RawRequests.partition;
import static io.korvet.it.RawRequests.partitions;
import static io.korvet.it.RawRequests.sessionFetch;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.korvet.handler.fetch.FetchSessionCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Incremental fetch sessions (KIP-227) over real TCP, request by request as Kafka's brokers answer them, and a real
 * consumer of 1,000 partitions that uses one session throughout and reads every record once.
 */
class FetchSessionIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        // Loading 1,000 partitions at once takes Redis a while on a busy machine: more than the suite's usual 2 s.
        cluster = KorvetCluster.start(Map.of("korvet.redis.timeout.ms", "20000"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void produce(RawKafkaConnection c, String topic, int partition, String... values) throws Exception {
        ProduceResponse p = c.call(RawRequests.produce((short) -1, topic, Map.of(partition, RawRequests.records(values))));
        assertThat(Errors.forCode(partition(p, partition).errorCode())).isEqualTo(Errors.NONE);
    }

    private static Map<Integer, Long> offsets(Object... partitionsAndOffsets) {
        Map<Integer, Long> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < partitionsAndOffsets.length; i += 2) {
            out.put((Integer) partitionsAndOffsets[i], ((Number) partitionsAndOffsets[i + 1]).longValue());
        }
        return out;
    }

    @Test
    void anIncrementalFetchCarriesOnlyWhatChangedAndTheSessionErrorsAreKafkas() throws Exception {
        sessionSequence("sessions-by-name", FETCH_BY_NAME);
    }

    @Test
    void sessionsWorkTheSameWithTopicIds() throws Exception {
        sessionSequence("sessions-by-id", FETCH_BY_ID);
    }

    private void sessionSequence(String topic, short version) throws Exception {
        cluster.createTopic(topic, 4);
        Uuid id = cluster.sharedAdmin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).topicId();
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port());
             RawKafkaConnection producer = RawKafkaConnection.open(cluster.port())) {
            produce(c, topic, 0, "a");

            // A full fetch with epoch 0 opens a session and answers every partition.
            FetchResponse full = c.call(sessionFetch(version, topic, id, 0, 0, 0, offsets(0, 0, 1, 0, 2, 0, 3, 0), List.of()));
            int session = full.data().sessionId();
            assertThat(Errors.forCode(full.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(session).isNotZero();
            assertThat(partitions(full).keySet()).containsExactly(0, 1, 2, 3);
            assertThat(RawRequests.values(partitions(full).get(0))).containsExactly("0:a");

            // Nothing new: an incremental fetch (the consumer moved past "a") answers no partition.
            FetchResponse quiet = c.call(sessionFetch(version, topic, id, session, 1, 0, offsets(0, 1), List.of()));
            assertThat(Errors.forCode(quiet.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(quiet.data().sessionId()).isEqualTo(session);
            assertThat(quiet.data().responses()).isEmpty();

            // A record on partition 2: only partition 2 is answered, from the offset the session remembers.
            produce(producer, topic, 2, "b");
            FetchResponse one = c.call(sessionFetch(version, topic, id, session, 2, 0, offsets(), List.of()));
            assertThat(partitions(one).keySet()).containsExactly(2);
            assertThat(partitions(one).get(2).highWatermark()).isEqualTo(1);
            assertThat(RawRequests.values(partitions(one).get(2))).containsExactly("0:b");

            // Long polling: an incremental fetch with nothing new waits, and wakes for a record on any partition
            // of its session, though the request itself names none of them.
            long start = System.nanoTime();
            int correlation = c.send(sessionFetch(version, topic, id, session, 3, 10_000, offsets(2, 1), List.of()));
            Thread.sleep(300);
            produce(producer, topic, 3, "c");
            RawKafkaConnection.Response<FetchResponse> woken = c.receive(org.apache.kafka.common.protocol.ApiKeys.FETCH, version);
            assertThat(woken.correlationId()).isEqualTo(correlation);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(partitions(woken.body()).keySet()).containsExactly(3);
            assertThat(RawRequests.values(partitions(woken.body()).get(3))).containsExactly("0:c");

            // A wrong epoch is refused at top level, and leaves the session as it was.
            FetchResponse wrongEpoch = c.call(sessionFetch(version, topic, id, session, 7, 0, offsets(), List.of()));
            assertThat(Errors.forCode(wrongEpoch.data().errorCode())).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
            assertThat(wrongEpoch.data().sessionId()).isZero();
            assertThat(wrongEpoch.data().responses()).isEmpty();

            // Forgotten partitions leave the session: a record on partition 3 is news no more.
            FetchResponse forget = c.call(sessionFetch(version, topic, id, session, 4, 0, offsets(3, 1), List.of(3)));
            assertThat(Errors.forCode(forget.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(forget.data().responses()).isEmpty();
            produce(producer, topic, 3, "d");
            produce(producer, topic, 1, "e");
            FetchResponse afterForget = c.call(sessionFetch(version, topic, id, session, 5, 0, offsets(), List.of()));
            assertThat(partitions(afterForget).keySet()).containsExactly(1);

            // A session named with the other kind of topic reference is Kafka's FETCH_SESSION_TOPIC_ID_ERROR.
            short other = version >= 13 ? FETCH_BY_NAME : FETCH_BY_ID;
            FetchResponse mixed = c.call(sessionFetch(other, topic, id, session, 6, 0, offsets(), List.of()));
            assertThat(Errors.forCode(mixed.data().errorCode())).isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR);

            // An unknown session id, and a session closed by a final (epoch -1) fetch, are FETCH_SESSION_ID_NOT_FOUND.
            FetchResponse unknown = c.call(sessionFetch(version, topic, id, session + 1, 1, 0, offsets(), List.of()));
            assertThat(Errors.forCode(unknown.data().errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
            assertThat(unknown.data().sessionId()).isZero();
            FetchResponse closing = c.call(sessionFetch(version, topic, id, session, -1, 0, offsets(0, 1), List.of()));
            assertThat(closing.data().sessionId()).isZero();
            assertThat(partitions(closing).keySet()).containsExactly(0);
            FetchResponse closed = c.call(sessionFetch(version, topic, id, session, 6, 0, offsets(), List.of()));
            assertThat(Errors.forCode(closed.data().errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
    }

    @Test
    void aConsumerOfAThousandPartitionsKeepsOneSessionAndReadsEveryRecordOnce() throws Exception {
        String topic = "sessions-wide";
        int partitionCount = 1000;
        cluster.createTopic(topic, partitionCount);
        Logger cacheLog = (Logger) LoggerFactory.getLogger(FetchSessionCache.class);
        Level before = cacheLog.getLevel();
        cacheLog.setLevel(Level.DEBUG);
        try (BrokerLogCapture logs = BrokerLogCapture.attach();
             KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5));
             KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000))) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitionCount; p++) {
                all.add(new TopicPartition(topic, p));
            }
            consumer.assign(all);
            consumer.poll(Duration.ofMillis(500));
            Map<String, Integer> seen = new HashMap<>();
            int expected = 0;
            // Two waves: the first read as it is produced, the second to a few partitions only, while the consumer
            // polls the quiet rest of its session.
            for (int wave = 0; wave < 2; wave++) {
                int partitionsOfWave = wave == 0 ? partitionCount : 7;
                List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                for (int i = 0; i < 3 * partitionsOfWave; i++) {
                    int p = (i * 13) % partitionsOfWave;
                    sent.add(producer.send(new ProducerRecord<>(topic, p, null, "w" + wave + "-" + i)));
                    expected++;
                }
                for (java.util.concurrent.Future<?> f : sent) {
                    f.get(60, TimeUnit.SECONDS);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (seen.size() < expected && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        seen.merge(r.partition() + "@" + r.offset() + "=" + r.value(), 1, Integer::sum);
                    }
                }
            }
            // Three more seconds of polling (about six long-polled fetches of the quiet session), to see that nothing
            // comes twice.
            for (int i = 0; i < 15; i++) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.merge(r.partition() + "@" + r.offset() + "=" + r.value(), 1, Integer::sum);
                }
            }
            assertThat(seen).hasSize(expected);
            assertThat(seen.values()).allMatch(n -> n == 1);

            double fetches = metric(consumer, "fetch-total");
            List<String> created = logs.messages("Created fetch session");
            assertThat(fetches).isGreaterThanOrEqualTo(6);
            // One session, opened by the first full fetch, served every later fetch (a consumer sends a full fetch again
            // only after a session error); a sessionless consumer would have opened one per fetch.
            assertThat(created).isNotEmpty().hasSizeLessThanOrEqualTo(3);
            assertThat(created.get(0)).contains("partitions=" + partitionCount);
        } finally {
            cacheLog.setLevel(before);
        }
    }

    /**
     * A real KafkaConsumer's Fetch requests, recorded on their way to the broker: one full fetch opens the session,
     * then every fetch is an incremental one of that session with the next epoch, naming nothing while nothing
     * changes; the answers carry only the partitions that had records; a partition the consumer stops reading is
     * sent as forgotten; every record comes once.
     */
    @Test
    void aRealConsumersRecordedFetchesStayInOneIncrementalSession() throws Exception {
        int proxyPort = io.korvet.storage.redis.RedisServerProcess.freePort();
        try (KorvetCluster proxied = KorvetCluster.start(Map.of("advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxyPort));
             RecordingProxy proxy = new RecordingProxy(proxyPort, proxied.port(), org.apache.kafka.common.protocol.ApiKeys.FETCH)) {
            String topic = "recorded";
            proxied.createTopic(topic, 3);
            List<TopicPartition> all = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
            Map<String, Integer> seen = new HashMap<>();
            java.util.Properties props = Clients.consumer("127.0.0.1:" + proxyPort,
                    org.apache.kafka.common.serialization.StringDeserializer.class);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props);
                 KafkaProducer<String, String> producer = proxied.producer(Map.of())) {
                consumer.assign(all);
                consumer.seekToBeginning(all);
                for (int i = 0; i < 10; i++) {
                    consumer.poll(Duration.ofMillis(100));
                }
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 2 == 0 ? 0 : 2, null, "v" + i)).get();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (seen.size() < 30 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.merge(r.value(), 1, Integer::sum));
                }
                for (int i = 0; i < 10; i++) {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.merge(r.value(), 1, Integer::sum));
                }
                consumer.assign(all.subList(0, 2));
                for (int i = 0; i < 10; i++) {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.merge(r.value(), 1, Integer::sum));
                }
            }
            assertThat(seen).hasSize(30);
            assertThat(seen.values()).allMatch(n -> n == 1);

            List<RecordingProxy.Exchange> fetches = proxy.exchanges();
            assertThat(fetches.size()).isGreaterThan(10);
            var first = (org.apache.kafka.common.requests.FetchRequest) fetches.get(0).request();
            assertThat(first.data().sessionId()).isZero();
            assertThat(first.data().sessionEpoch()).isZero();
            int session = ((FetchResponse) fetches.get(0).response()).data().sessionId();
            assertThat(session).as("the full fetch opens a session").isNotZero();
            int epoch = 0;
            int empty = 0;
            boolean forgot = false;
            boolean closed = false;
            for (RecordingProxy.Exchange e : fetches.subList(1, fetches.size())) {
                var request = ((org.apache.kafka.common.requests.FetchRequest) e.request()).data();
                var response = ((FetchResponse) e.response()).data();
                assertThat(request.sessionId()).as("every later fetch is of the same session").isEqualTo(session);
                if (request.sessionEpoch() == -1) {
                    // The consumer closing: the final fetch closes the session (answered without one, as Kafka does).
                    assertThat(e).as("closing is the last fetch").isSameAs(fetches.get(fetches.size() - 1));
                    assertThat(response.sessionId()).isZero();
                    closed = true;
                    continue;
                }
                assertThat(request.sessionEpoch()).as("with the next epoch").isEqualTo(++epoch);
                assertThat(response.errorCode()).isZero();
                assertThat(response.sessionId()).isEqualTo(session);
                if (request.topics().isEmpty()) {
                    empty++;
                }
                forgot |= request.forgottenTopicsData().stream().anyMatch(f -> f.partitions().contains(2));
                // Partition 1 never gets a record: no incremental answer mentions it.
                response.responses().forEach(t -> t.partitions().forEach(p -> assertThat(p.partitionIndex()).isNotEqualTo(1)));
            }
            assertThat(empty).as("incremental fetches naming nothing while nothing changes").isGreaterThan(3);
            assertThat(forgot).as("partition 2 forgotten when the consumer stops reading it").isTrue();
            assertThat(closed).as("the consumer closes its session").isTrue();
        }
    }

    private static double metric(KafkaConsumer<?, ?> consumer, String name) {
        for (Map.Entry<MetricName, ? extends org.apache.kafka.common.Metric> e : consumer.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals("consumer-fetch-manager-metrics")
                    && !e.getKey().tags().containsKey("topic")) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + name);
    }

}
