package io.korvet.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.storage.StoredRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StoredRecordsOutputTest {

    private static ByteBuffer bb(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void entry(StoredRecordsOutput out, String id, String... fields) {
        out.multi(2);
        out.set(bb(id));
        out.multi(fields.length);
        for (String f : fields) {
            out.set(bb(f));
        }
        out.complete(2);
        out.complete(1);
    }

    @Test
    void severalEntriesInOrderWithFieldsInAnyOrderAndForeignFieldsIgnored() {
        StoredRecordsOutput out = new StoredRecordsOutput();
        out.multi(3);
        entry(out, "9223372036854775806-1", "value", "v", "ts", "1700000000000", "note", "added by hand");
        entry(out, "5-1", "ts", "-1");
        entry(out, "6-1", "key", "k", "ts", "42");
        out.complete(0);

        assertThat(out.get()).extracting(StoredRecord::offset).containsExactly(9223372036854775806L, 5L, 6L);
        StoredRecord first = out.get().get(0);
        assertThat(first.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("v");
        assertThat(first.key()).isNull();
        assertThat(out.get().get(1).timestamp()).isEqualTo(-1);
        assertThat(out.get().get(1).value()).isNull();
        assertThat(new String(out.get().get(2).key(), StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(out.get().get(2).timestamp()).isEqualTo(42);
    }

    @Test
    void anEmptyReplyIsNoRecords() {
        StoredRecordsOutput out = new StoredRecordsOutput();
        out.multi(0);
        out.complete(0);
        assertThat(out.get()).isEmpty();
    }

    @Test
    void numbersParseLikeLongParseLong() {
        for (String n : new String[] {"0", "7", "-1", "1700000000000", "9223372036854775807", "-9223372036854775808"}) {
            assertThat(StoredRecordsOutput.parseLong(bb(n), (char) 0)).isEqualTo(Long.parseLong(n));
        }
        assertThat(StoredRecordsOutput.parseLong(bb("123-1"), '-')).isEqualTo(123);
        assertThatThrownBy(() -> StoredRecordsOutput.parseLong(bb("12x"), (char) 0)).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> StoredRecordsOutput.parseLong(bb(""), (char) 0)).isInstanceOf(NumberFormatException.class);
    }
}
