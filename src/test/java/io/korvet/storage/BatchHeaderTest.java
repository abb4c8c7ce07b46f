package io.korvet.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BatchHeaderTest {

    @Test
    void encodesAsCommaSeparatedText() {
        assertThat(new BatchHeader(9001L, (short) 4, 250, 3, BatchHeader.LOG_APPEND_TIME).encode()).isEqualTo("9001,4,250,3,1");
        assertThat(new BatchHeader(-1, (short) -1, -1, 1, BatchHeader.CREATE_TIME).encode()).isEqualTo("-1,-1,-1,1,0");
    }

    @Test
    void roundTrips() {
        for (BatchHeader h : new BatchHeader[] {
                new BatchHeader(9001L, (short) 4, 250, 3, BatchHeader.LOG_APPEND_TIME),
                new BatchHeader(-1, (short) -1, -1, 1, BatchHeader.CREATE_TIME),
                new BatchHeader(Long.MAX_VALUE, Short.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, BatchHeader.CREATE_TIME),
                new BatchHeader(7, (short) 1, 0, 3, BatchHeader.CREATE_TIME, BatchHeader.TRANSACTIONAL),
                new BatchHeader(7, (short) 1, -1, 1, BatchHeader.CREATE_TIME,
                        (byte) (BatchHeader.TRANSACTIONAL | BatchHeader.CONTROL | BatchHeader.ABORT))}) {
            assertThat(BatchHeader.decode(h.encode())).isEqualTo(h);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1,2,3,4", "1,2,3,4,5,6,7", "a,0,0,1,0", "1,99999,0,1,0", "1,2,3,4,0,x"})
    void malformedTextIsRejected(String text) {
        assertThatThrownBy(() -> BatchHeader.decode(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "base {0} count {1} -> last {2}")
    @CsvSource({
            "0, 1, 0",
            "100, 3, 102",
            "2147483647, 1, 2147483647",
            "2147483647, 2, 0",
            "2147483646, 5, 2",
            "2147483600, 100, 51",
            "-1, 5, -1",
    })
    void lastSequenceWrapsLikeKafka(int base, int count, int last) {
        assertThat(new BatchHeader(7, (short) 0, base, count, BatchHeader.CREATE_TIME).lastSequence()).isEqualTo(last);
    }
}
