package io.korvet.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RedisKeysTest {

    private static String s(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** The shape of a partition stream key: exactly three ':'-separated parts, the last all digits. */
    private static boolean hasStreamKeyShape(String key) {
        String[] parts = key.split(":", -1);
        return parts.length == 3 && !parts[2].isEmpty() && parts[2].chars().allMatch(Character::isDigit);
    }

    private static List<String> topicNames() {
        List<String> names = new ArrayList<>(List.of(
                "orders", "topics", "producer-ids", "producer", "ids", "group", "groups", "broker", "brokers",
                "topic", "7", "0", "42", "korvet", "__consumer_offsets", "a.b.c", "a_b", "a-b", "..", "_", "-",
                "x.y_z-1", "UPPER.lower"));
        names.add("t".repeat(249));
        names.add("9".repeat(249));
        return names;
    }

    private static final List<String> GROUP_IDS = List.of(
            "7", "0", "group", "orders", "my-group", "", " ", "a:b", "x:1", "orders:0", "korvet:orders:0", "ünïcødé", "g".repeat(300));

    /** Every registry (non-stream) key for a namespace, including one offsets hash per group id above. */
    private static List<String> registryKeys(RedisKeys keys) {
        List<String> out = new ArrayList<>(List.of(s(keys.topics()), s(keys.producerIds()), s(keys.brokerConfigs()), s(keys.groups())));
        for (String group : GROUP_IDS) {
            out.add(s(keys.groupOffsets(group)));
        }
        return out;
    }

    @Test
    void partitionKeyIsNamespaceTopicPartition() {
        RedisKeys keys = new RedisKeys("korvet");

        assertThat(s(keys.partition(new TopicPartition("orders", 0)))).isEqualTo("korvet:orders:0");
        assertThat(s(keys.partition(new TopicPartition("a.b_c-d", 17)))).isEqualTo("korvet:a.b_c-d:17");
        assertThat(s(new RedisKeys("prod.eu").partition(new TopicPartition("orders", 3)))).isEqualTo("prod.eu:orders:3");
    }

    @Test
    void registryKeysAreInTheNamespace() {
        RedisKeys keys = new RedisKeys("ns1");

        assertThat(registryKeys(keys)).allSatisfy(k -> assertThat(k).startsWith("ns1:")).doesNotHaveDuplicates();
        assertThat(s(keys.groupOffsets("7"))).isEqualTo("ns1:group:7:offsets");
    }

    @Test
    void everyPartitionKeyHasTheStreamShape() {
        RedisKeys keys = new RedisKeys("korvet");
        for (String topic : topicNames()) {
            for (int p : new int[] {0, 1, 9, 10, 123, Integer.MAX_VALUE}) {
                assertThat(hasStreamKeyShape(s(keys.partition(new TopicPartition(topic, p))))).as(topic + "-" + p).isTrue();
            }
        }
    }

    @Test
    void registryKeysNeverHaveTheStreamShape() {
        for (String ns : List.of("korvet", "k", "ns.1", "a_b-c")) {
            for (String key : registryKeys(new RedisKeys(ns))) {
                assertThat(hasStreamKeyShape(key)).as(key).isFalse();
            }
        }
    }

    @Test
    void noStreamKeyEqualsARegistryKey() {
        for (String ns : List.of("korvet", "topics", "7")) {
            RedisKeys keys = new RedisKeys(ns);
            Set<String> registry = new HashSet<>(registryKeys(keys));
            Set<String> streams = new HashSet<>();
            for (String topic : topicNames()) {
                for (int p = 0; p < 12; p++) {
                    String key = s(keys.partition(new TopicPartition(topic, p)));
                    assertThat(registry).as(key).doesNotContain(key);
                    assertThat(streams.add(key)).as("distinct stream key " + key).isTrue();
                }
            }
        }
    }

    @Test
    void shapeCheckItselfDiscriminates() {
        assertThat(hasStreamKeyShape("korvet:orders:0")).isTrue();
        assertThat(hasStreamKeyShape("korvet:topics")).isFalse();
        assertThat(hasStreamKeyShape("korvet:group:7")).isTrue();
        assertThat(hasStreamKeyShape("korvet:topic:orders:config")).isFalse();
        assertThat(hasStreamKeyShape("korvet:orders:")).isFalse();
    }
}
