package io.korvet.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * A Kafka client of another release in a process of its own (OldClientsIT runs it on kafka-clients 3.9):
 * {@code OldClientMain <bootstrap>}. With the client's defaults (idempotent, acks=all) and each codec, it produces,
 * consumes in a group, commits, and checks that the group resumes after its commit. Uses only what both
 * releases have. Prints {@code CLIENT <version>}, then {@code OK <codec>} per codec; exits 1 on the first failure.
 */
public final class OldClientMain {

    private static final int RECORDS = 500;

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        System.out.println("CLIENT " + AppInfoParser.getVersion());
        try {
            for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
                roundTrip(bootstrap, "old-client-" + codec, codec);
                System.out.println("OK " + codec);
            }
            Properties a = new Properties();
            a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(a)) {
                if (!admin.listTopics().names().get().contains("old-client-zstd")) {
                    throw new AssertionError("the Admin client does not list old-client-zstd");
                }
            }
            System.out.println("OK admin");
        } catch (Throwable t) {
            System.out.println("FAILED " + t);
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private static void roundTrip(String bootstrap, String topic, String codec) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "value " + i + " " + codec)).get();
            }
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-group");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (read.size() < RECORDS - 100 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            consumer.commitSync();
        }
        // The same group resumes where it committed and reads the rest.
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (read.size() < RECORDS && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        if (read.size() != RECORDS) {
            throw new AssertionError(topic + ": read " + read.size() + " records, not " + RECORDS);
        }
        for (int i = 0; i < RECORDS; i++) {
            ConsumerRecord<String, String> r = read.get(i);
            if (r.offset() != i || !r.key().equals("k" + i) || !r.value().equals("value " + i + " " + codec)) {
                throw new AssertionError(topic + ": record " + i + " is " + r);
            }
        }
    }
}
