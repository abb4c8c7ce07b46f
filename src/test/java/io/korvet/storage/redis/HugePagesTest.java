package io.korvet.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HugePagesTest {

    @Test
    void readsTheMajorVersionRedisServerPrints() {
        assertThat(HugePages.parseMajorVersion("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64")).isEqualTo(7);
        assertThat(HugePages.parseMajorVersion("Redis server v=6.2.14 sha=00000000:0")).isEqualTo(6);
        assertThat(HugePages.parseMajorVersion("Redis server v=10.1.0 malloc=libc")).isEqualTo(10);
        assertThat(HugePages.parseMajorVersion("no version here")).isZero();
    }
}
