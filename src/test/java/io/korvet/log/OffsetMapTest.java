package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OffsetMapTest {

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsTheLatestOffsetOfEachKey() {
        OffsetMap map = new OffsetMap(1 << 20, 0.9, 100);
        map.put(key("a"), 1);
        map.put(key("b"), 2);
        map.put(key("a"), 5);

        assertThat(map.get(key("a"))).isEqualTo(5);
        assertThat(map.get(key("b"))).isEqualTo(2);
        assertThat(map.get(key("c"))).isEqualTo(-1);
        assertThat(map.size()).isEqualTo(2);
        assertThat(map.latestOffset()).isEqualTo(5);
    }

    @Test
    void holdsNoMoreKeysThanItsMemoryAndLoadFactorAllow() {
        // 24 bytes a key as in Kafka: 10 slots of which 90 % may be used, rounded to a power of two: 8 slots, 7 keys.
        OffsetMap map = new OffsetMap(240, 0.9, 1000);
        int put = 0;
        while (!map.isFull()) {
            map.put(key("k" + put), put);
            put++;
        }
        assertThat(put).isEqualTo(7);
        map.put(key("k0"), 100); // a known key is always updated
        assertThat(map.get(key("k0"))).isEqualTo(100);
        assertThatThrownBy(() -> map.put(key("new"), 101)).isInstanceOf(IllegalStateException.class);
        for (int i = 1; i < put; i++) {
            assertThat(map.get(key("k" + i))).isEqualTo(i);
        }
    }

    @Test
    void isSizedForTheKeysExpectedNotForItsWholeMemory() {
        // 3 keys expected of a 128 MiB map: 8 slots, 7 keys, not 5 million.
        OffsetMap small = new OffsetMap(128L << 20, 0.9, 3);
        int put = 0;
        while (!small.isFull()) {
            small.put(key("k" + put), put);
            put++;
        }
        assertThat(put).isEqualTo(7);
    }
}
