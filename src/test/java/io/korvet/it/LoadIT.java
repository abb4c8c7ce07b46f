package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.korvet.network.ListenerStats;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scale a real deployment reaches: a thousand producers on their own connections sending at the same
 * moment, and a topic of ten thousand partitions described in one answer. Every figure is printed for the
 * record; none is asserted, since timings depend on the machine.
 */
class LoadIT {

    static KorvetCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start();
        admin = cluster.sharedAdmin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * A thousand real KafkaProducers (the client's defaults: acks=all, idempotence), each with its own
     * connections and I/O thread, all released at once to send ten keyed records: every record is
     * acknowledged, at an offset no other record got, and reading the partitions back finds exactly the
     * acknowledged records at exactly those offsets, no more.
     */
    @Test
    void aThousandProducersSendingAtOnceHaveEveryRecordStoredOnce() throws Exception {
        int producers = 1_000;
        int perProducer = 10;
        int partitions = 8;
        String topic = "thousand-producers";
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        int connectionsBefore = cluster.broker().listenerStats().openConnections();

        List<KafkaProducer<String, String>> all = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        PeakSampler peak = new PeakSampler();
        Map<TopicPartition, Map<Long, String>> acknowledged = new HashMap<>();
        long started = System.nanoTime();
        try {
            List<Future<KafkaProducer<String, String>>> made = new ArrayList<>();
            for (int i = 0; i < producers; i++) {
                // Small buffers: a thousand producers share this JVM's heap.
                made.add(pool.submit(() -> cluster.producer(Map.of(
                        ProducerConfig.BUFFER_MEMORY_CONFIG, 64 * 1024,
                        ProducerConfig.LINGER_MS_CONFIG, 5))));
            }
            for (Future<KafkaProducer<String, String>> f : made) {
                all.add(f.get(60, TimeUnit.SECONDS));
            }
            long created = System.nanoTime();
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("[LoadIT] with %d producers: %d MB of heap in use (max %d MB), %d threads%n", producers,
                    (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20,
                    java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount());

            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Future<RecordMetadata>>>> sending = new ArrayList<>();
            for (int i = 0; i < producers; i++) {
                int index = i;
                KafkaProducer<String, String> producer = all.get(i);
                sending.add(pool.submit(() -> {
                    go.await();
                    List<Future<RecordMetadata>> acks = new ArrayList<>(perProducer);
                    for (int j = 0; j < perProducer; j++) {
                        acks.add(producer.send(new ProducerRecord<>(topic, "producer-" + index, "record-" + index + "-" + j)));
                    }
                    return acks;
                }));
            }
            peak.start();
            go.countDown();
            for (int i = 0; i < producers; i++) {
                List<Future<RecordMetadata>> acks = sending.get(i).get(60, TimeUnit.SECONDS);
                for (int j = 0; j < perProducer; j++) {
                    RecordMetadata m = acks.get(j).get(60, TimeUnit.SECONDS);
                    String previous = acknowledged.computeIfAbsent(new TopicPartition(topic, m.partition()), tp -> new HashMap<>())
                            .put(m.offset(), "record-" + i + "-" + j);
                    assertThat(previous).as("offset %d of partition %d acknowledged twice", m.offset(), m.partition()).isNull();
                }
            }
            long sent = System.nanoTime();
            peak.stop();
            System.out.printf("[LoadIT] %d producers created in %d ms; %d records sent at once and acknowledged in %d ms;"
                            + " peak %d connections, %d requests in flight, %d request bytes queued%n",
                    producers, TimeUnit.NANOSECONDS.toMillis(created - started), producers * perProducer,
                    TimeUnit.NANOSECONDS.toMillis(sent - created), peak.connections.get(), peak.inFlight.get(), peak.queuedBytes.get());
            assertThat(peak.connections.get()).as("each producer on a connection of its own")
                    .isGreaterThanOrEqualTo(connectionsBefore + producers);
        } finally {
            peak.stop();
            List<Future<?>> closing = new ArrayList<>();
            for (KafkaProducer<String, String> p : all) {
                closing.add(pool.submit(() -> p.close(Duration.ofSeconds(10))));
            }
            for (Future<?> f : closing) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }

        long total = 0;
        for (int p = 0; p < partitions; p++) {
            Map<Long, String> byOffset = acknowledged.getOrDefault(new TopicPartition(topic, p), Map.of());
            assertThat(RedisProbe.streamLength(cluster, topic, p)).as("entries of partition %d", p).isEqualTo(byOffset.size());
            for (long o = 0; o < byOffset.size(); o++) {
                assertThat(byOffset).as("partition %d offsets are dense", p).containsKey(o);
            }
            total += byOffset.size();
        }
        assertThat(total).isEqualTo((long) producers * perProducer);
        assertThat(readAll(topic, partitions, total)).as("what the partitions hold, by offset").isEqualTo(acknowledged);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.broker().listenerStats().openConnections() == connectionsBefore);
        System.out.printf("[LoadIT] all %d records read back once at their acknowledged offsets; whole test %d ms; after: %s%n",
                total, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), cluster.broker().listenerStats());
    }

    /**
     * One topic of 10,000 partitions: created through the Admin client, then one Metadata answer for all
     * topics carries every partition with this broker as leader, the Admin client describes them all, and
     * a real producer writes to the last one.
     */
    @Test
    void tenThousandPartitionsInOneMetadataAnswer() throws Exception {
        int partitions = 10_000;
        String topic = "ten-thousand-partitions";
        long t0 = System.nanoTime();
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        long createdMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        MetadataResponseTopic described;
        int responseBytes;
        long metadataMillis;
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.setReadTimeout(30_000);
            MetadataRequest request = RawRequests.metadataAllTopics();
            long t1 = System.nanoTime();
            int correlationId = c.send(request);
            ByteBuffer frame = c.readFrame();
            metadataMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
            responseBytes = frame.remaining();
            assertThat(ResponseHeader.parse(frame, ApiKeys.METADATA.responseHeaderVersion(request.version())).correlationId())
                    .isEqualTo(correlationId);
            MetadataResponse response = (MetadataResponse) AbstractResponse.parseResponse(ApiKeys.METADATA,
                    new ByteBufferAccessor(frame), request.version());
            described = response.data().topics().find(topic);
        }
        assertThat(described).isNotNull();
        assertThat(Errors.forCode(described.errorCode())).isEqualTo(Errors.NONE);
        assertThat(described.partitions()).hasSize(partitions);
        for (int p = 0; p < partitions; p++) {
            MetadataResponsePartition mp = described.partitions().get(p);
            assertThat(mp.partitionIndex()).isEqualTo(p);
            assertThat(mp.leaderId()).isZero();
            assertThat(Errors.forCode(mp.errorCode())).isEqualTo(Errors.NONE);
        }

        long t2 = System.nanoTime();
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic);
        long describeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t2);
        assertThat(description.partitions()).hasSize(partitions);
        for (TopicPartitionInfo info : description.partitions()) {
            assertThat(info.leader().id()).isZero();
        }
        assertThat(description.partitions().get(partitions - 1).partition()).isEqualTo(partitions - 1);

        long t3 = System.nanoTime();
        RecordMetadata last;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            last = producer.send(new ProducerRecord<>(topic, partitions - 1, "key", "to the last partition")).get(60, TimeUnit.SECONDS);
        }
        long produceMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t3);
        assertThat(last.partition()).isEqualTo(partitions - 1);
        assertThat(last.offset()).isZero();
        assertThat(RedisProbe.streamLength(cluster, topic, partitions - 1)).isEqualTo(1);
        System.out.printf("[LoadIT] %d partitions: created in %d ms; Metadata for all topics answered in %d ms (%d bytes);"
                        + " Admin describeTopics in %d ms; a new producer's first record to partition %d acknowledged in %d ms%n",
                partitions, createdMillis, metadataMillis, responseBytes, describeMillis, partitions - 1, produceMillis);
    }

    private static Map<TopicPartition, Map<Long, String>> readAll(String topic, int partitions, long expected) {
        Map<TopicPartition, Map<Long, String>> read = new HashMap<>();
        long count = 0;
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
            consumer.assign(all);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    String previous = read.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new HashMap<>())
                            .put(r.offset(), r.value());
                    assertThat(previous).as("offset %d of partition %d read twice", r.offset(), r.partition()).isNull();
                    count++;
                }
            }
            // Anything past the acknowledged records would be a duplicate: one more short poll must find nothing.
            assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
        }
        return read;
    }

    /** Samples the listener's stats while producers send, keeping the highest of each figure. */
    private static final class PeakSampler {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicLong queuedBytes = new AtomicLong();
        private volatile boolean running;
        private Thread thread;

        void start() {
            running = true;
            thread = new Thread(() -> {
                while (running) {
                    ListenerStats s = cluster.broker().listenerStats();
                    connections.accumulateAndGet(s.openConnections(), Math::max);
                    inFlight.accumulateAndGet(s.inFlightRequests(), Math::max);
                    queuedBytes.accumulateAndGet(s.queuedRequestBytes(), Math::max);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "listener-stats-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            if (thread != null) {
                thread.join(5_000);
            }
        }
    }
}
