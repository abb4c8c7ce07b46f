package io.korvet.it;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/** Client settings the integration tests start from: the bootstrap address and (de)serializers, else defaults. */
final class Clients {

    private Clients() {
    }

    /** A producer with the client's defaults (acks=all, idempotence on). */
    static Properties producer(String bootstrap, Class<? extends Serializer<?>> serializer) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, serializer.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, serializer.getName());
        return p;
    }

    /** A consumer with the client's defaults. */
    static Properties consumer(String bootstrap, Class<? extends Deserializer<?>> deserializer) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, deserializer.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, deserializer.getName());
        return p;
    }

    /** A consumer that reads from the earliest offset and commits only when told to. */
    static Properties readingFromTheStart(String bootstrap, Class<? extends Deserializer<?>> deserializer) {
        Properties p = consumer(bootstrap, deserializer);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }
}
