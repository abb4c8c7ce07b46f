package io.korvet.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.StreamFormat;
import io.korvet.storage.TopicRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** The registry record layout: stable (so that compare-and-set compares equal texts) and round-tripping. */
class RedisTopicStoreTest {

    @Test
    void aRecordRoundTripsWithItsDeletionMark() {
        TopicRecord record = new TopicRecord("orders", Uuid.randomUuid(), 3, Map.of("retention.ms", "1000", "cleanup.policy", "delete"));

        assertThat(RedisTopicStore.decode("orders", RedisTopicStore.encode(record))).isEqualTo(record);
        TopicRecord marked = record.markedDeleting();
        assertThat(RedisTopicStore.encode(marked)).endsWith("deleting=true\n");
        assertThat(RedisTopicStore.decode("orders", RedisTopicStore.encode(marked))).isEqualTo(marked);
    }

    @Test
    void configsAreEncodedInNameOrder() {
        Uuid id = Uuid.randomUuid();
        TopicRecord record = new TopicRecord("t", id, 1, Map.of("segment.ms", "1", "cleanup.policy", "compact", "retention.ms", "5"));

        assertThat(RedisTopicStore.encode(record)).isEqualTo("id=" + id + "\npartitions=1\nformat=record\n"
                + "config.cleanup.policy=compact\nconfig.retention.ms=5\nconfig.segment.ms=1\n");
    }

    @Test
    void aTopicKeepsItsStreamFormat() {
        TopicRecord batch = new TopicRecord("t", Uuid.randomUuid(), 2, Map.of(), StreamFormat.BATCH);

        assertThat(RedisTopicStore.encode(batch)).contains("format=batch\n");
        assertThat(RedisTopicStore.decode("t", RedisTopicStore.encode(batch)).format()).isEqualTo(StreamFormat.BATCH);
    }

    @Test
    void aRecordWithoutFormatIsARecordTopic() {
        Uuid id = Uuid.randomUuid();

        assertThat(RedisTopicStore.decode("t", "id=" + id + "\npartitions=1\n").format()).isEqualTo(StreamFormat.RECORD);
    }

    @Test
    void recordsWrittenBeforeTheDeletionMarkExistedStillDecode() {
        Uuid id = Uuid.randomUuid();

        TopicRecord old = RedisTopicStore.decode("t", "id=" + id + "\npartitions=2\nconfig.retention.ms=5\n");

        assertThat(old).isEqualTo(new TopicRecord("t", id, 2, Map.of("retention.ms", "5")));
        assertThat(old.deleting()).isFalse();
    }

    @Test
    void brokerConfigLinesRoundTripAndTheirKeyIsNoStreamKey() {
        Map<String, String> configs = Map.of("log.retention.ms", "60000", "log.retention.bytes", "-1");

        assertThat(RedisTopicStore.decodeLines(RedisTopicStore.encodeLines(configs))).isEqualTo(configs);
        String key = new String(new RedisKeys("korvet").brokerConfigs(), StandardCharsets.UTF_8);
        assertThat(key).isEqualTo("korvet:broker-configs");
        assertThat(key.split(":")).hasSize(2);
    }

    @Test
    void valuesWithLineBreaksAndBackslashesRoundTrip() {
        String pem = "-----BEGIN CERTIFICATE-----\nMIIB\r\nAbC=\n-----END CERTIFICATE-----\n";
        Map<String, String> configs = Map.of("listener.name.pem.ssl.keystore.certificate.chain", pem,
                "windows.path", "C:\\certs\\n1.p12", "plain", "x=y");
        String encoded = RedisTopicStore.encodeLines(configs);
        assertThat(encoded.lines()).hasSize(3);
        assertThat(RedisTopicStore.decodeLines(encoded)).isEqualTo(configs);
        // Written before values were escaped: a backslash before anything else is kept.
        assertThat(RedisTopicStore.decodeLines("a=C:\\temp\\x\n")).containsEntry("a", "C:\\temp\\x");
    }

    @Test
    void producerIdsAreNotGivenAgainWhenTheCounterGoesBack() {
        long before = RedisTopicStore.producerId(1_796_600_000_000L, 41);
        // A failover lost the last INCRs: the counter repeats, a millisecond later.
        long after = RedisTopicStore.producerId(1_796_600_000_001L, 41);
        assertThat(after).isNotEqualTo(before).isGreaterThan(before);
        assertThat(RedisTopicStore.producerId(1_796_600_000_000L, 42)).isNotEqualTo(before);
        // Positive and exact in a double (Lua's numbers) for centuries.
        long late = RedisTopicStore.producerId(4_102_444_800_000L, 1023); // year 2100
        assertThat(late).isPositive().isLessThan(1L << 53);
    }
}
