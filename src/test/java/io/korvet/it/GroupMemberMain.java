package io.korvet.it;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A group member in a process of its own, so that a test can kill it without it leaving the group:
 * {@code GroupMemberMain <bootstrap> <group> <topic> <sessionTimeoutMs>}. Prints its assignment.
 */
public final class GroupMemberMain {

    public static void main(String[] args) {
        Properties p = Clients.consumer(args[0], StringDeserializer.class);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args[3]);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        long deadline = System.currentTimeMillis() + 120_000;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(args[2]));
            String last = "";
            while (System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200));
                String now = consumer.assignment().toString();
                if (!now.equals(last)) {
                    System.out.println("ASSIGNED " + consumer.assignment().size());
                    System.out.flush();
                    last = now;
                }
            }
        }
    }
}
