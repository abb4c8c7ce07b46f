import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What fetch sessions (KIP-227) save a consumer of many partitions: a KafkaConsumer (no group) assigned every
 * partition of a topic polls for a while, idle or with a trickle of records to random partitions, and this prints
 * the Fetch requests it sent, their bytes on the wire each way (the consumer's metrics for its connection to the
 * broker), and the CPU the broker process (and redis-server) spent per Fetch, read from /proc: in all, and above
 * what the broker spends with no client connected (measured for 10 s after the run).
 *
 * <p>Usage: {@code FetchSessionBench <bootstrap> <topic> <partitions> <seconds> <records/s> <broker pid> <redis pid> <label>}
 */
public final class FetchSessionBench {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int partitions = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int rate = Integer.parseInt(args[4]);
        long brokerPid = Long.parseLong(args[5]);
        long redisPid = Long.parseLong(args[6]);
        String label = args[7];

        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin a = Admin.create(admin)) {
            if (!a.listTopics().names().get().contains(topic)) {
                a.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
            }
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        {
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
            List<TopicPartition> all = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                all.add(new TopicPartition(topic, i));
            }
            consumer.assign(all);
            // Warm-up: positions found, partitions loaded, the first (full) fetch behind us.
            long warm = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < warm) {
                consumer.poll(Duration.ofMillis(200));
            }
            byte[] value = new byte[100];
            Snapshot before = Snapshot.take(consumer, brokerPid, redisPid);
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long produced = 0;
            long records = 0;
            while (System.nanoTime() < end) {
                long due = rate == 0 ? 0 : (System.nanoTime() - start) * rate / 1_000_000_000L;
                while (produced < due) {
                    producer.send(new ProducerRecord<>(topic, ThreadLocalRandom.current().nextInt(partitions), null, value));
                    produced++;
                }
                records += consumer.poll(Duration.ofMillis(100)).count();
            }
            Snapshot after = Snapshot.take(consumer, brokerPid, redisPid);
            consumer.close();
            producer.close();
            // The broker's own background (registry polls, heartbeats, the JVM) with no client: subtracted below.
            Thread.sleep(2_000);
            double idleStart = Snapshot.cpuMs(brokerPid);
            Thread.sleep(10_000);
            double idlePerSecond = (Snapshot.cpuMs(brokerPid) - idleStart) / 10.0;
            double fetches = after.fetches - before.fetches;
            double requests = after.requests - before.requests;
            double brokerMs = after.brokerCpuMs - before.brokerCpuMs;
            System.out.printf("| %s | %d | %d | %.0f | %.1f | %.0f | %.0f | %.2f | %.2f | %.2f | %.1f%% |%n",
                    label, partitions, rate, fetches, fetches / seconds,
                    (after.sent - before.sent) / requests, (after.received - before.received) / requests,
                    brokerMs / fetches, (brokerMs - idlePerSecond * seconds) / fetches,
                    (after.redisCpuMs - before.redisCpuMs) / fetches, 100.0 * brokerMs / (seconds * 1000.0));
            System.err.printf("%s: %d records produced, %d consumed; %.0f requests on the broker connection; idle broker %.1f ms/s%n",
                    label, produced, records, requests, idlePerSecond);
        }
    }

    /** The consumer's counters for its connection to the broker, and the CPU of the broker and of Redis so far. */
    private record Snapshot(double fetches, double requests, double sent, double received, double brokerCpuMs, double redisCpuMs) {

        static Snapshot take(KafkaConsumer<?, ?> consumer, long brokerPid, long redisPid) throws Exception {
            Map<MetricName, ? extends Metric> m = consumer.metrics();
            return new Snapshot(value(m, "consumer-fetch-manager-metrics", "fetch-total", null),
                    value(m, "consumer-node-metrics", "request-total", "node-0"),
                    value(m, "consumer-node-metrics", "outgoing-byte-total", "node-0"),
                    value(m, "consumer-node-metrics", "incoming-byte-total", "node-0"),
                    cpuMs(brokerPid), cpuMs(redisPid));
        }

        private static double value(Map<MetricName, ? extends Metric> metrics, String group, String name, String node) {
            for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
                MetricName n = e.getKey();
                if (n.group().equals(group) && n.name().equals(name)
                        && (node == null ? !n.tags().containsKey("topic") : node.equals(n.tags().get("node-id")))) {
                    return ((Number) e.getValue().metricValue()).doubleValue();
                }
            }
            throw new IllegalStateException("no metric " + group + "/" + name + " " + node);
        }

        /** utime + stime of a process, in ms (clock ticks of 10 ms). */
        static double cpuMs(long pid) throws Exception {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
        }
    }
}
