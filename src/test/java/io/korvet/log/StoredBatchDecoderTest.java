package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.storage.NewBatch;
import io.korvet.storage.StreamFormat;
import io.korvet.topic.Topic;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every check of {@link BatchDecoderTest} on a {@code batch}-format topic, whose batches are checked where they lie
 * and kept as the producer sent them; and what only that format does.
 */
class StoredBatchDecoderTest extends BatchDecoderTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long T0 = 1_700_000_000_000L;
    private static final long NOW = 1_800_000_000_000L;

    @Override
    StreamFormat format() {
        return StreamFormat.BATCH;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MemoryRecords batch(Compression compression, long producerId, SimpleRecord... records) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(4096), RecordBatch.MAGIC_VALUE_V2, compression,
                TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId, (short) (producerId < 0 ? -1 : 0),
                producerId < 0 ? -1 : 0, false, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (SimpleRecord r : records) {
            builder.append(r);
        }
        return builder.build();
    }

    private static SimpleRecord[] three() {
        return new SimpleRecord[] {new SimpleRecord(T0 + 7, b("a"), b("1")), new SimpleRecord(T0 + 9, b("b"), b("2")),
                new SimpleRecord(T0 + 3, null, b("3"))};
    }

    private static MutableRecordBatch only(ByteBuffer bytes) {
        return MemoryRecords.readableRecords(bytes.duplicate()).batches().iterator().next();
    }

    @Override
    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void negativeTimestampsOtherThanNoneAreInvalid(String name, Compression compression) {
        // Kafka stores such a batch as it came (no bound on how far back a CreateTime may be, by default), and so does
        // the batch format: nothing is written again, so nothing refuses it on the way back.
        MemoryRecords records = withBaseTimestamp(batch(compression, -1, new SimpleRecord(0L, b("k"), b("v"))), -10L);

        IncomingBatch decoded = BatchDecoder.decode(TP, records, PLAIN, NOW);

        assertThat(records(decoded)).singleElement().satisfies(r -> assertThat(r.timestamp()).isEqualTo(-10L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void theProducersBytesAreStoredAsTheyCame(String name, Compression compression) {
        MemoryRecords records = batch(compression, 42L, three());
        byte[] sent = org.apache.kafka.common.utils.Utils.toArray(records.buffer().duplicate());

        IncomingBatch decoded = BatchDecoder.decode(TP, records, PLAIN, NOW);

        assertThat(decoded.isStored()).isTrue();
        assertThat(decoded.count()).isEqualTo(3);
        assertThat(decoded.maxTimestamp()).isEqualTo(T0 + 9);
        assertThat(decoded.header().producerId()).isEqualTo(42L);
        assertThat(org.apache.kafka.common.utils.Utils.toArray(decoded.bytes().duplicate())).isEqualTo(sent);
        assertThat(decoded.batch().compressionType()).isEqualTo(compression.type());
    }

    @Test
    void theOffsetsWrittenInKeepTheBatchValid() {
        IncomingBatch decoded = BatchDecoder.decode(TP, batch(Compression.lz4().build(), -1, three()), PLAIN, NOW);

        NewBatch stored = decoded.toNewBatch(1_000L, 0);

        MutableRecordBatch read = only(stored.bytes());
        assertThat(read.isValid()).isTrue();
        assertThat(read.baseOffset()).isEqualTo(1_000L);
        assertThat(read.lastOffset()).isEqualTo(1_002L);
        assertThat(read.partitionLeaderEpoch()).isZero();
        assertThat(stored.maxTimestamp()).isEqualTo(T0 + 9);
        assertThat(stored.flags()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void logAppendTimeIsStampedAndTheCrcRecomputed(String name, Compression compression) {
        Topic stamped = topic(1_048_588, true, false);

        IncomingBatch decoded = BatchDecoder.decode(TP, batch(compression, -1, three()), stamped, NOW);

        MutableRecordBatch read = only(decoded.toNewBatch(0, 0).bytes());
        assertThat(read.isValid()).isTrue();
        assertThat(read.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(read.maxTimestamp()).isEqualTo(NOW);
        assertThat(records(decoded)).extracting(r -> r.timestamp()).containsOnly(NOW);
    }

    @Test
    void aTopicCodecOtherThanTheProducersRecompresses() {
        Topic lz4 = new Topic(record(), 1_048_588, false, false, 1, Long.MAX_VALUE, Long.MAX_VALUE, "lz4");
        Topic uncompressed = new Topic(record(), 1_048_588, false, false, 1, Long.MAX_VALUE, Long.MAX_VALUE, "uncompressed");
        Topic same = new Topic(record(), 1_048_588, false, false, 1, Long.MAX_VALUE, Long.MAX_VALUE, "gzip");

        IncomingBatch toLz4 = BatchDecoder.decode(TP, batch(Compression.gzip().build(), 9L, three()), lz4, NOW);
        IncomingBatch toNone = BatchDecoder.decode(TP, batch(Compression.zstd().build(), -1, three()), uncompressed, NOW);
        IncomingBatch kept = BatchDecoder.decode(TP, batch(Compression.gzip().build(), -1, three()), same, NOW);

        MutableRecordBatch read = only(toLz4.toNewBatch(5, 0).bytes());
        assertThat(read.compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(read.isValid()).isTrue();
        assertThat(read.producerId()).isEqualTo(9L);
        assertThat(read.baseOffset()).isEqualTo(5L);
        assertThat(records(toLz4)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("1", "2", "3");
        assertThat(records(toLz4)).extracting(r -> r.timestamp()).containsExactly(T0 + 7, T0 + 9, T0 + 3);
        assertThat(only(toNone.toNewBatch(0, 0).bytes()).compressionType()).isEqualTo(CompressionType.NONE);
        assertThat(kept.batch().compressionType()).isEqualTo(CompressionType.GZIP);
    }

    @Test
    void aLastOffsetDeltaThatDisagreesWithTheCountIsRefused() {
        ByteBuffer b = batch(Compression.NONE, -1, three()).buffer().duplicate();
        b.putInt(23, 7); // last offset delta: 7, for 3 records
        b.putInt(17, (int) Crc32C.compute(b, 21, b.limit() - 21));

        assertThatThrownBy(() -> BatchDecoder.decode(TP, MemoryRecords.readableRecords(b), PLAIN, NOW))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("offset range");
    }
}
