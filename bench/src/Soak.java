import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The soak: a default producer (acks=all, idempotent) writes numbered records at a fixed rate while a
 * consumer group member reads them, for a fixed time; then the producer stops, the consumer drains, and
 * every acknowledged record is accounted for: per partition, the numbers the consumer sees must go up by
 * exactly the partition count (no gap, no duplicate, order kept). Prints a progress line every interval and
 * a summary line starting with {@code SOAK RESULT}.
 *
 * <p>Usage: {@code Soak <bootstrap> <topic> <partitions> <records-per-s> <seconds> <record-bytes> <retention-ms>}
 */
public final class Soak {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int partitions = Integer.parseInt(args[2]);
        long rate = Long.parseLong(args[3]);
        long seconds = Long.parseLong(args[4]);
        int recordBytes = Math.max(8, Integer.parseInt(args[5]));
        String retentionMs = args[6];

        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(ap)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                    .configs(Map.of("retention.ms", retentionMs)))).all().get(30, TimeUnit.SECONDS);
        }

        AtomicLong sent = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong consumed = new AtomicLong();
        AtomicLong gaps = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong firstError = new AtomicLong(-1);
        Map<Integer, Long> lastSeen = new ConcurrentHashMap<>();
        AtomicBoolean producing = new AtomicBoolean(true);

        Thread consumerThread = new Thread(() -> consume(bootstrap, topic, partitions, consumed, gaps, duplicates, lastSeen,
                producing, acked), "soak-consumer");
        consumerThread.start();

        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long nextReport = start + TimeUnit.SECONDS.toNanos(30);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            long n = 0;
            while (System.nanoTime() < end) {
                // Paced: record n goes out no earlier than n / rate seconds after the start.
                long due = start + n * 1_000_000_000L / rate;
                long now = System.nanoTime();
                if (due > now) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(due - now, 5_000_000));
                    continue;
                }
                byte[] value = new byte[recordBytes];
                ByteBuffer.wrap(value).putLong(n);
                int partition = (int) (n % partitions);
                long seq = n;
                producer.send(new ProducerRecord<>(topic, partition, null, value), (meta, error) -> {
                    if (error == null) {
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(-1, seq);
                        System.out.println("send of record " + seq + " failed: " + error);
                    }
                });
                sent.incrementAndGet();
                n++;
                if (now >= nextReport) {
                    nextReport += TimeUnit.SECONDS.toNanos(30);
                    System.out.printf("soak t=%ds sent=%d acked=%d failed=%d consumed=%d lag=%d gaps=%d duplicates=%d%n",
                            TimeUnit.NANOSECONDS.toSeconds(now - start), sent.get(), acked.get(), failed.get(), consumed.get(),
                            acked.get() - consumed.get(), gaps.get(), duplicates.get());
                }
            }
            producer.flush();
        }
        producing.set(false);
        consumerThread.join(TimeUnit.MINUTES.toMillis(5));
        double secs = (System.nanoTime() - start) / 1e9;
        boolean ok = failed.get() == 0 && gaps.get() == 0 && duplicates.get() == 0 && consumed.get() == acked.get()
                && acked.get() == sent.get();
        System.out.printf("SOAK RESULT %s: sent=%d acked=%d failed=%d consumed=%d gaps=%d duplicates=%d over %.0f s (%.0f records/s)%n",
                ok ? "PASS" : "FAIL", sent.get(), acked.get(), failed.get(), consumed.get(), gaps.get(), duplicates.get(),
                secs, sent.get() / secs);
        System.exit(ok ? 0 : 1);
    }

    private static void consume(String bootstrap, String topic, int partitions, AtomicLong consumed, AtomicLong gaps,
                                AtomicLong duplicates, Map<Integer, Long> lastSeen, AtomicBoolean producing, AtomicLong acked) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "soak");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of(topic));
            long idleSince = System.nanoTime();
            while (true) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    long seq = ByteBuffer.wrap(r.value()).getLong();
                    Long last = lastSeen.get(r.partition());
                    long expected = last == null ? r.partition() : last + partitions;
                    if (seq < expected) {
                        duplicates.incrementAndGet();
                        continue;
                    }
                    if (seq > expected) {
                        gaps.incrementAndGet();
                        System.out.printf("gap on partition %d: expected record %d, got %d at offset %d%n",
                                r.partition(), expected, seq, r.offset());
                    }
                    lastSeen.put(r.partition(), seq);
                    consumed.incrementAndGet();
                }
                if (!records.isEmpty()) {
                    idleSince = System.nanoTime();
                }
                if (!producing.get() && (consumed.get() >= acked.get()
                        || System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(60))) {
                    consumer.commitSync();
                    return;
                }
            }
        }
    }
}
