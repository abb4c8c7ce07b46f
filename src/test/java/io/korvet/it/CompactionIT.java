package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The log cleaner on a real broker and Redis, over both stream formats: compacted topics shrink to about one record
 * per key, read back from the start into the same final map, at unchanged offsets and from the same log start offset;
 * tombstones go once delete.retention.ms has passed since the cleaner first saw them; the active segment is never
 * cleaned; a producer writing while the cleaner runs loses nothing. The cleaner runs every 200 ms here.
 */
class CompactionIT {

    static AdminTestSupport support;
    static KorvetCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        support = AdminTestSupport.start(Map.of("log.cleaner.backoff.ms", "200"));
        cluster = support.cluster;
        admin = support.admin;
    }

    @AfterAll
    static void stop() {
        support.close();
    }

    /** A compacted topic whose active segment rolls every {@code segmentMs}, cleaned whenever anything is dirty. */
    static void createCompacted(String topic, long segmentMs, long deleteRetentionMs) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                "segment.ms", Long.toString(segmentMs), "min.cleanable.dirty.ratio", "0.01",
                "delete.retention.ms", Long.toString(deleteRetentionMs))))).all().get();
    }

    /** Everything in partition 0 from offset 0 up to its end offset, read by a consumer that may not reset. */
    static List<ConsumerRecord<String, String>> readAll(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            List<ConsumerRecord<String, String>> records = AdminTestSupport.readFromStart(consumer, tp, end);
            assertThat(consumer.position(tp)).as("read to the end of " + topic).isEqualTo(end);
            return records;
        }
    }

    static Map<String, String> rebuild(List<ConsumerRecord<String, String>> records) {
        Map<String, String> map = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            if (r.value() == null) {
                map.remove(r.key());
            } else {
                map.put(r.key(), r.value());
            }
        }
        return map;
    }

    static long earliest(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
    }

    @Test
    void manyUpdatesToFewKeysShrinkToAboutOneRecordPerKeyAtTheirOffsets() throws Exception {
        createCompacted("updates", 300, 86_400_000L);
        int keys = 20;
        Map<String, String> latest = new HashMap<>();
        Map<String, Long> ackedOffset = new HashMap<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"))) {
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                String key = "k" + (i % keys);
                String value = key + "-v" + i;
                sent.add(producer.send(new ProducerRecord<>("updates", 0, key, value)));
                values.add(value);
                latest.put(key, value);
            }
            for (int i = 0; i < sent.size(); i++) {
                ackedOffset.put(values.get(i), sent.get(i).get().offset());
            }
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(readAll("updates").size()).isLessThanOrEqualTo(2 * keys));

        List<ConsumerRecord<String, String>> compacted = readAll("updates");
        assertThat(rebuild(compacted)).isEqualTo(latest);
        for (ConsumerRecord<String, String> r : compacted) {
            assertThat(r.offset()).as("offset of " + r.value()).isEqualTo(ackedOffset.get(r.value()));
        }
        assertThat(compacted).extracting(ConsumerRecord::offset).isSorted().doesNotHaveDuplicates();
        assertThat(earliest("updates")).as("compaction does not move the log start offset").isZero();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("updates", 0, "k0", "after")).get().offset()).isEqualTo(3000);
        }
    }

    @Test
    void tombstonesGoOnlyOnceDeleteRetentionMsHasPassed() throws Exception {
        createCompacted("short-tombstones", 200, 1000);
        createCompacted("long-tombstones", 200, 3_600_000L);
        for (String topic : List.of("short-tombstones", "long-tombstones")) {
            try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
                // The log's first record always stays (it holds the log start offset): one that is its key's latest.
                producer.send(new ProducerRecord<>(topic, 0, "first", "first")).get();
                for (String key : List.of("a", "b", "c")) {
                    producer.send(new ProducerRecord<>(topic, 0, key, key + "1")).get();
                    producer.send(new ProducerRecord<>(topic, 0, key, key + "2")).get();
                }
                producer.send(new ProducerRecord<>(topic, 0, "b", null)).get();
            }
        }
        // Kept for an hour: the older values go, the tombstone stays for consumers to see.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(readAll("long-tombstones")).extracting(ConsumerRecord::value).doesNotContain("a1", "c1"));
        List<ConsumerRecord<String, String>> longLived = readAll("long-tombstones");
        assertThat(longLived).filteredOn(r -> r.key().equals("b")).extracting(ConsumerRecord::value).containsExactly((String) null);

        // Kept for a second: gone at a pass after that (passes need something dirty, hence the updates of d).
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            int[] n = {0};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                producer.send(new ProducerRecord<>("short-tombstones", 0, "d", "d" + n[0]++)).get();
                assertThat(readAll("short-tombstones")).extracting(ConsumerRecord::key).doesNotContain("b");
            });
        }
        Map<String, String> map = rebuild(readAll("short-tombstones"));
        assertThat(map).containsEntry("a", "a2").containsEntry("c", "c2").doesNotContainKey("b").containsKey("d");
        assertThat(earliest("short-tombstones")).isZero();
    }

    @Test
    void theActiveSegmentIsNeverCleaned() throws Exception {
        // A day-long segment: once the cleaner has seen the topic, everything written after is in its active segment.
        createCompacted("head", 86_400_000L, 86_400_000L);
        String cleanerKey = "{" + support.streamKey("head", 0) + "}:cleaner";
        await().atMost(Duration.ofSeconds(30)).until(() -> support.redis().exists(cleanerKey) == 1);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>("head", 0, "k" + (i % 2), "v" + i));
            }
            producer.flush();
        }
        // A topic compacted after those writes shows that the cleaner has been over "head" since.
        createCompacted("witness", 200, 86_400_000L);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("witness", 0, "k", "v" + i));
            }
            producer.flush();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(readAll("witness").size()).isLessThan(100));
        Thread.sleep(1000);
        assertThat(readAll("head")).extracting(ConsumerRecord::offset).hasSize(200).startsWith(0L).endsWith(199L);
    }

    @Test
    void recordsYoungerThanMinCompactionLagMsAreNotCleaned() throws Exception {
        admin.createTopics(List.of(new NewTopic("lagging", 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                "segment.ms", "200", "min.cleanable.dirty.ratio", "0.01", "min.compaction.lag.ms", "3600000")))).all().get();
        long now = System.currentTimeMillis();
        long old = now - 2 * 3_600_000L;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>("lagging", 0, old, "k" + (i % 5), "old" + i)).get();
            }
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>("lagging", 0, now, "k" + (i % 5), "new" + i)).get();
            }
        }
        // The records of two hours ago are cleaned as far as the records of that time tell (the latest old record of
        // each key stays: its newer records are too recent to be mapped); the recent ones all stay.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(readAll("lagging")).filteredOn(r -> r.value().startsWith("old") && r.offset() > 0)
                        .extracting(ConsumerRecord::offset).containsExactly(45L, 46L, 47L, 48L, 49L));
        List<ConsumerRecord<String, String>> records = readAll("lagging");
        assertThat(records).filteredOn(r -> r.value().startsWith("new")).extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(java.util.stream.LongStream.range(50, 100).boxed().toList());
    }

    @Test
    void theLogsLastRecordsGoingLeavesTheNextOffsetAndReadersAtTheEnd() throws Exception {
        // Written before the topic became compacted: records without a key, which compaction removes, last.
        admin.createTopics(List.of(new NewTopic("switched", 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (String v : List.of("a1", "a2", "a3")) {
                producer.send(new ProducerRecord<>("switched", 0, "a", v)).get();
            }
            producer.send(new ProducerRecord<>("switched", 0, null, "no key 1")).get();
            producer.send(new ProducerRecord<>("switched", 0, null, "no key 2")).get();
        }
        org.apache.kafka.common.config.ConfigResource topic =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "switched");
        List<org.apache.kafka.clients.admin.AlterConfigOp> ops = new ArrayList<>();
        Map.of("cleanup.policy", "compact", "segment.ms", "200", "min.cleanable.dirty.ratio", "0.01").forEach((k, v) ->
                ops.add(new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(k, v),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(Map.of(topic, ops)).all().get();

        // The log's last entry stays (in the batch format as an empty batch), so readers get to the end offset.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(readAll("switched")).extracting(ConsumerRecord::value).doesNotContain("a2", "no key 1"));
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("switched", 0, "a", "a4")).get().offset()).isEqualTo(5);
        }
        assertThat(rebuild(readAll("switched"))).containsEntry("a", "a4");
    }

    @Test
    void committedTransactionsAreCompactedAndMarkersKept() throws Exception {
        createCompacted("txn-compacted", 200, 86_400_000L);
        Map<String, String> committed = new HashMap<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "compacting-tx"))) {
            producer.initTransactions();
            for (int t = 0; t < 6; t++) {
                producer.beginTransaction();
                for (int k = 0; k < 5; k++) {
                    producer.send(new ProducerRecord<>("txn-compacted", 0, "k" + k, "t" + t + "-" + k));
                }
                if (t == 4) {
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                    for (int k = 0; k < 5; k++) {
                        committed.put("k" + k, "t" + t + "-" + k);
                    }
                }
            }
        }
        // 30 records and 6 markers; the committed values of the first transactions go.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(readAll("txn-compacted")).extracting(ConsumerRecord::value).doesNotContain("t1-1", "t2-2"));
        TopicPartition tp = new TopicPartition("txn-compacted", 0);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            assertThat(rebuild(AdminTestSupport.readFromStart(consumer, tp, end))).isEqualTo(committed);
        }
    }

    @Test
    void abortedRecordsAndCommitMarkersWithoutRecordsGo() throws Exception {
        // delete.retention.ms 0: markers may go as soon as nothing of their transaction is left.
        createCompacted("txn-cleaned", 200, 0L);
        Map<String, String> committed = new HashMap<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cleaning-tx"))) {
            producer.initTransactions();
            for (int t = 0; t < 6; t++) {
                producer.beginTransaction();
                for (int k = 0; k < 5; k++) {
                    producer.send(new ProducerRecord<>("txn-cleaned", 0, "k" + k, "t" + t + "-" + k));
                }
                producer.flush();
                if (t == 5) {
                    // The last values of every key, aborted: the cleaner drops them though no later record supersedes them.
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                    for (int k = 0; k < 5; k++) {
                        committed.put("k" + k, "t" + t + "-" + k);
                    }
                }
            }
        }
        assertThat(RedisProbe.markers(cluster, "txn-cleaned", 0)).isEqualTo(6);
        // In the record format the log's first entry keeps its record (t0's first), and so t0's marker stays too.
        long markersLeft = "record".equals(KorvetCluster.streamFormat()) ? 3 : 2;
        // Left: the commit marker of t4 (its records stay) and the abort marker of t5 (abort markers stay). Markers,
        // as tombstones, go in a pass after the one that first cleaned past them: a record now and then makes passes.
        int[] n = {0};
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                producer.send(new ProducerRecord<>("txn-cleaned", 0, "z", "z" + n[0]++)).get();
                committed.put("z", "z" + (n[0] - 1));
                assertThat(readAll("txn-cleaned")).extracting(ConsumerRecord::value).noneMatch(v -> v.startsWith("t5-"));
                assertThat(RedisProbe.markers(cluster, "txn-cleaned", 0)).isEqualTo(markersLeft);
            });
        }
        TopicPartition tp = new TopicPartition("txn-cleaned", 0);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            assertThat(rebuild(AdminTestSupport.readFromStart(consumer, tp, end))).isEqualTo(committed);
        }
    }

    @Test
    void aProducerWritingWhileTheCleanerRunsLosesNothing() throws Exception {
        createCompacted("busy", 100, 86_400_000L);
        Map<String, String> lastAcked = new ConcurrentHashMap<>();
        Map<String, Long> lastAckedOffset = new ConcurrentHashMap<>();
        AtomicBoolean failed = new AtomicBoolean();
        int sent = 0;
        long until = System.currentTimeMillis() + 6000;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "2"))) {
            while (System.currentTimeMillis() < until) {
                String key = "k" + (sent % 10);
                String value = key + "-" + sent++;
                producer.send(new ProducerRecord<>("busy", 0, key, value), (md, e) -> {
                    if (e != null) {
                        failed.set(true);
                        return;
                    }
                    lastAckedOffset.merge(key, md.offset(), Math::max);
                    if (lastAckedOffset.get(key) == md.offset()) {
                        lastAcked.put(key, value);
                    }
                });
                if (sent % 50 == 0) {
                    producer.flush();
                }
            }
        }
        assertThat(failed).isFalse();
        // Compaction went on while producing: fewer records than were sent are left once the cleaner caught up.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(readAll("busy").size()).isLessThanOrEqualTo(40));
        Map<String, Long> offsets = new LinkedHashMap<>();
        List<ConsumerRecord<String, String>> records = readAll("busy");
        records.forEach(r -> offsets.put(r.key(), r.offset()));
        assertThat(rebuild(records)).isEqualTo(lastAcked);
        assertThat(offsets).isEqualTo(lastAckedOffset);
        assertThat(records.size()).isLessThan(sent);
    }
}
