import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka's ConsumerPerformance without a consumer group: it {@code assign()}s every partition of the topic
 * and reads from the beginning, with ConsumerPerformance's consumer settings, and prints ConsumerPerformance's
 * summary line (rebalance time 0). The harness uses it for both brokers when a broker has no group
 * coordinator, so that both are measured the same way.
 *
 * <p>Usage: {@code AssignedConsumerPerformance <bootstrap> <topic> <num-records> <timeout-ms>}
 */
public final class AssignedConsumerPerformance {

    public static void main(String[] args) {
        String bootstrap = args[0];
        String topic = args[1];
        long wanted = Long.parseLong(args[2]);
        long timeoutMs = Long.parseLong(args[3]);

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // ConsumerPerformance's own settings (--socket-buffer-size, --fetch-size defaults; no CRC check).
        props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, "2097152");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "1048576");
        props.put(ConsumerConfig.CHECK_CRCS_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "perf-consumer-client");
        if (args.length > 4) {
            // A client properties file (TLS settings), as ConsumerPerformance's --command-config.
            try (java.io.Reader in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(args[4]))) {
                props.load(in);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : infos) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);

            long records = 0;
            long bytes = 0;
            long start = System.currentTimeMillis();
            long lastConsumed = start;
            long now = start;
            while (records < wanted && now - lastConsumed <= timeoutMs) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                now = System.currentTimeMillis();
                if (!batch.isEmpty()) {
                    lastConsumed = now;
                }
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    records++;
                    bytes += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                }
            }
            long end = System.currentTimeMillis();
            if (records < wanted) {
                System.out.printf("WARNING: Exiting before consuming the expected number of records: timeout (%d ms) exceeded.%n",
                        timeoutMs);
            }
            double elapsed = Math.max(1, end - start) / 1000.0;
            double mb = bytes / (1024.0 * 1024.0);
            System.out.println("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
                    + "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
            System.out.printf("%d, %d, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f%n", start, end, mb, mb / elapsed, records,
                    records / elapsed, 0, end - start, mb / elapsed, records / elapsed);
            System.exit(records < wanted ? 1 : 0);
        }
    }
}
