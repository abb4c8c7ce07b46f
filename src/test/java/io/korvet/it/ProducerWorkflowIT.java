package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The producer workflow end to end with a default KafkaProducer (acks=all, idempotent) and an assign() consumer. */
class ProducerWorkflowIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    record Sent(String key, String value, List<Header> headers, RecordMetadata meta) {
    }

    @Test
    void keyedAndKeylessRecordsLandWhereKafkaPutsThemAndReadBackInOrder() throws Exception {
        String topic = "orders";
        cluster.createTopic(topic, 3);
        List<Sent> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                List<Header> headers = List.of(new RecordHeader("h1", ("v" + i).getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("trace", i % 2 == 0 ? null : new byte[] {1, 2, 3}));
                records.add(new ProducerRecord<>(topic, null, null, "key-" + (i % 500), "value-" + i, headers));
            }
            for (int i = 0; i < 1_000; i++) {
                records.add(new ProducerRecord<>(topic, null, "keyless-" + i));
            }
            for (ProducerRecord<String, String> r : records) {
                futures.add(producer.send(r));
            }
            for (int i = 0; i < records.size(); i++) {
                ProducerRecord<String, String> r = records.get(i);
                List<Header> headers = new ArrayList<>();
                r.headers().forEach(headers::add);
                sent.add(new Sent(r.key(), r.value(), headers, futures.get(i).get()));
            }
        }

        // Keyed records are on the partition Kafka's default partitioner picks: murmur2(key) mod 3.
        for (Sent s : sent) {
            if (s.key != null) {
                int expected = Utils.toPositive(Utils.murmur2(s.key.getBytes(StandardCharsets.UTF_8))) % 3;
                assertThat(s.meta.partition()).as("partition of %s", s.key).isEqualTo(expected);
            }
        }
        // Offsets per partition are dense from 0.
        Map<Integer, List<Long>> offsets = new HashMap<>();
        for (Sent s : sent) {
            offsets.computeIfAbsent(s.meta.partition(), p -> new ArrayList<>()).add(s.meta.offset());
        }
        assertThat(offsets.keySet()).containsExactlyInAnyOrder(0, 1, 2);
        for (List<Long> list : offsets.values()) {
            List<Long> sorted = list.stream().sorted().toList();
            for (int i = 0; i < sorted.size(); i++) {
                assertThat(sorted.get(i)).isEqualTo(i);
            }
        }

        // An assign() consumer reads every record back, in order, with key, value, headers and timestamp.
        Map<TopicPartition, List<ConsumerRecord<String, String>>> read = new HashMap<>();
        List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + 60_000;
            int total = 0;
            while (total < sent.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    read.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new ArrayList<>()).add(r);
                    total++;
                }
            }
            assertThat(total).isEqualTo(sent.size());
            assertThat(consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(sent.size());
        }
        Map<String, Sent> byPosition = new HashMap<>();
        for (Sent s : sent) {
            byPosition.put(s.meta.partition() + "@" + s.meta.offset(), s);
        }
        for (List<ConsumerRecord<String, String>> list : read.values()) {
            for (int i = 0; i < list.size(); i++) {
                ConsumerRecord<String, String> r = list.get(i);
                assertThat(r.offset()).isEqualTo(i);
                Sent s = byPosition.get(r.partition() + "@" + r.offset());
                assertThat(r.key()).isEqualTo(s.key);
                assertThat(r.value()).isEqualTo(s.value);
                assertThat(r.timestamp()).isEqualTo(s.meta.timestamp());
                List<Header> headers = new ArrayList<>();
                r.headers().forEach(headers::add);
                assertThat(headers).hasSameSizeAs(s.headers);
                for (int h = 0; h < headers.size(); h++) {
                    assertThat(headers.get(h).key()).isEqualTo(s.headers.get(h).key());
                    assertThat(headers.get(h).value()).isEqualTo(s.headers.get(h).value());
                }
            }
        }
        // Within a partition, records of one key keep their send order.
        for (List<ConsumerRecord<String, String>> list : read.values()) {
            Map<String, Integer> lastIndex = new HashMap<>();
            for (ConsumerRecord<String, String> r : list) {
                if (r.key() == null) {
                    continue;
                }
                int index = Integer.parseInt(r.value().substring("value-".length()));
                Integer previous = lastIndex.put(r.key(), index);
                if (previous != null) {
                    assertThat(index).isGreaterThan(previous);
                }
            }
        }
        assertThat(Set.copyOf(read.keySet())).hasSize(3);
    }
}
