package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.korvet.storage.StreamFormat;
import io.korvet.storage.TopicRecord;
import io.korvet.topic.Topic;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchDecoderTest {


    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long T0 = 1_700_000_000_000L;
    private static final long NOW = 1_800_000_000_000L;

    /** The stream format of the topics here; {@link StoredBatchDecoderTest} runs every test again on the other. */
    StreamFormat format() {
        return StreamFormat.RECORD;
    }

    TopicRecord record() {
        return new TopicRecord("orders", Uuid.randomUuid(), 1, Map.of(), format());
    }

    Topic topic(int maxMessageBytes, boolean logAppendTime, boolean compacted) {
        return new Topic(record(), maxMessageBytes, logAppendTime, compacted, 1);
    }

    final Topic PLAIN = topic(1_048_588, false, false);

    /**
     * The records of a decoded batch: a record-format topic's as decoded, a batch-format topic's read back from the
     * batch that will be stored (with the timestamps a Fetch would show).
     */
    static List<NewRecord> records(IncomingBatch decoded) {
        if (!decoded.isStored()) {
            return decoded.records();
        }
        List<NewRecord> out = new java.util.ArrayList<>();
        for (org.apache.kafka.common.record.internal.Record r : decoded.batch()) {
            out.add(new NewRecord(r.timestamp(), r.hasKey() ? org.apache.kafka.common.utils.Utils.toArray(r.key()) : null,
                    r.hasValue() ? org.apache.kafka.common.utils.Utils.toArray(r.value()) : null, r.headers()));
        }
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MemoryRecords batch(Compression compression, long producerId, short epoch, int baseSequence, boolean transactional,
                                       SimpleRecord... records) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(4096), RecordBatch.MAGIC_VALUE_V2, compression,
                TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId, epoch, baseSequence, transactional,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (SimpleRecord r : records) {
            builder.append(r);
        }
        return builder.build();
    }

    private static SimpleRecord[] sample() {
        return new SimpleRecord[] {
                new SimpleRecord(T0, b("k0"), b("v0"), new Header[] {new RecordHeader("trace", b("t-1")), new RecordHeader("n", null)}),
                new SimpleRecord(T0 + 5, null, b("v1")),
                new SimpleRecord(T0 + 9, b("k2"), null),
                new SimpleRecord(T0 + 2, b("k3"), b("x".repeat(300)))};
    }

    static Stream<Arguments> compressions() {
        return Stream.of(
                Arguments.of("none", Compression.NONE),
                Arguments.of("gzip", Compression.gzip().build()),
                Arguments.of("snappy", Compression.snappy().build()),
                Arguments.of("lz4", Compression.lz4().build()),
                Arguments.of("zstd", Compression.zstd().build()));
    }

    private static void assertSampleRecords(List<NewRecord> records, boolean logAppendTime) {
        assertThat(records).hasSize(4);
        if (logAppendTime) {
            assertThat(records).extracting(NewRecord::timestamp).containsOnly(NOW);
        } else {
            assertThat(records).extracting(NewRecord::timestamp).containsExactly(T0, T0 + 5, T0 + 9, T0 + 2);
        }
        assertThat(records.get(0).key()).isEqualTo(b("k0"));
        assertThat(records.get(0).value()).isEqualTo(b("v0"));
        assertThat(records.get(0).headers()).extracting(Header::key).containsExactly("trace", "n");
        assertThat(records.get(0).headers()[0].value()).isEqualTo(b("t-1"));
        assertThat(records.get(0).headers()[1].value()).isNull();
        assertThat(records.get(1).key()).isNull();
        assertThat(records.get(1).value()).isEqualTo(b("v1"));
        assertThat(records.get(1).headers()).isEmpty();
        assertThat(records.get(2).key()).isEqualTo(b("k2"));
        assertThat(records.get(2).value()).isNull();
        assertThat(records.get(3).value()).isEqualTo(b("x".repeat(300)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void decodesPlainBatch(String name, Compression compression) {
        MemoryRecords records = batch(compression, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, false, sample());
        assertThat(records.batches().iterator().next().compressionType().name).isEqualTo(name);

        IncomingBatch decoded = BatchDecoder.decode(TP, records, PLAIN, NOW);

        assertSampleRecords(records(decoded), false);
        assertThat(decoded.idempotent()).isFalse();
        assertThat(decoded.logAppendTime()).isEqualTo(-1L);
        assertThat(decoded.header()).isEqualTo(new BatchHeader(-1, (short) -1, -1, 4, BatchHeader.CREATE_TIME));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void decodesIdempotentBatch(String name, Compression compression) {
        MemoryRecords records = batch(compression, 9001L, (short) 4, 250, false, sample());

        IncomingBatch decoded = BatchDecoder.decode(TP, records, PLAIN, NOW);

        assertSampleRecords(records(decoded), false);
        assertThat(decoded.idempotent()).isTrue();
        assertThat(decoded.header()).isEqualTo(new BatchHeader(9001L, (short) 4, 250, 4, BatchHeader.CREATE_TIME));
        assertThat(decoded.header().lastSequence()).isEqualTo(253);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void logAppendTimeTopicStampsNow(String name, Compression compression) {
        MemoryRecords records = batch(compression, 1L, (short) 0, 0, false, sample());

        IncomingBatch decoded = BatchDecoder.decode(TP, records, topic(1_048_588, true, false), NOW);

        assertSampleRecords(records(decoded), true);
        assertThat(decoded.logAppendTime()).isEqualTo(NOW);
        assertThat(decoded.header().timestampType()).isEqualTo(BatchHeader.LOG_APPEND_TIME);
    }

    @Test
    void batchOverMaxMessageBytesIsTooLarge() {
        MemoryRecords records = batch(Compression.NONE, -1, (short) -1, -1, false, sample());
        int size = records.sizeInBytes();

        assertThat(records(BatchDecoder.decode(TP, records, topic(size, false, false), NOW))).hasSize(4);
        assertThatThrownBy(() -> BatchDecoder.decode(TP, records, topic(size - 1, false, false), NOW))
                .isInstanceOf(RecordTooLargeException.class);
    }

    @Test
    void compressedSizeIsWhatCounts() {
        SimpleRecord big = new SimpleRecord(T0, b("k"), b("a".repeat(10_000)));
        MemoryRecords compressed = batch(Compression.gzip().build(), -1, (short) -1, -1, false, big);

        assertThat(compressed.sizeInBytes()).isLessThan(2_000);
        assertThat(records(BatchDecoder.decode(TP, compressed, topic(2_000, false, false), NOW)).get(0).value()).hasSize(10_000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void flippedByteInRecordsIsCorrupt(String name, Compression compression) {
        MemoryRecords records = batch(compression, -1, (short) -1, -1, false, sample());
        ByteBuffer buffer = records.buffer();
        int last = buffer.limit() - 3;
        buffer.put(last, (byte) (buffer.get(last) ^ 0x5A));

        assertThatThrownBy(() -> BatchDecoder.decode(TP, MemoryRecords.readableRecords(buffer), PLAIN, NOW))
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void truncatedBatchIsCorrupt() {
        ByteBuffer whole = batch(Compression.NONE, -1, (short) -1, -1, false, sample()).buffer();
        ByteBuffer truncated = ByteBuffer.wrap(java.util.Arrays.copyOf(whole.array(), whole.limit() - 10));

        assertThatThrownBy(() -> BatchDecoder.decode(TP, MemoryRecords.readableRecords(truncated), PLAIN, NOW))
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void compactedTopicRejectsRecordWithoutKey() {
        Topic compacted = topic(1_048_588, false, true);
        MemoryRecords keyed = batch(Compression.NONE, -1, (short) -1, -1, false, new SimpleRecord(T0, b("k"), b("v")));
        MemoryRecords keyless = batch(Compression.lz4().build(), -1, (short) -1, -1, false,
                new SimpleRecord(T0, b("k"), b("v")), new SimpleRecord(T0, null, b("v")));

        assertThat(records(BatchDecoder.decode(TP, keyed, compacted, NOW))).hasSize(1);
        assertThatThrownBy(() -> BatchDecoder.decode(TP, keyless, compacted, NOW))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("without key");
    }

    @Test
    void transactionalBatchKeepsItsFlagAndProducer() {
        MemoryRecords records = batch(Compression.NONE, 12L, (short) 3, 0, true, new SimpleRecord(T0, b("k"), b("v")));

        IncomingBatch batch = BatchDecoder.decode(TP, records, PLAIN, NOW);

        assertThat(batch.header().transactional()).isTrue();
        assertThat(batch.header().control()).isFalse();
        assertThat(batch.header().producerId()).isEqualTo(12L);
        assertThat(batch.header().producerEpoch()).isEqualTo((short) 3);
    }

    @Test
    void emptyRecordsAreRejected() {
        assertThatThrownBy(() -> BatchDecoder.decode(TP, MemoryRecords.EMPTY, PLAIN, NOW)).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> BatchDecoder.decode(TP, null, PLAIN, NOW)).isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void twoBatchesAreRejected() {
        ByteBuffer a = batch(Compression.NONE, -1, (short) -1, -1, false, new SimpleRecord(T0, b("k"), b("a"))).buffer();
        ByteBuffer b = batch(Compression.NONE, -1, (short) -1, -1, false, new SimpleRecord(T0, b("k"), b("b"))).buffer();
        ByteBuffer both = ByteBuffer.allocate(a.remaining() + b.remaining()).put(a).put(b).flip();

        assertThatThrownBy(() -> BatchDecoder.decode(TP, MemoryRecords.readableRecords(both), PLAIN, NOW))
                .isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void oldMagicIsRejected() {
        MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE, new SimpleRecord(T0, b("k"), b("v")));

        assertThatThrownBy(() -> BatchDecoder.decode(TP, v1, PLAIN, NOW)).isInstanceOf(InvalidRecordException.class);
    }

    // ---- counts and lengths the client declares (under a CRC it computes itself) ----

    /**
     * The batch's records, written again (after {@code change}) with {@code compression}, under a header declaring
     * {@code count} records, with a right length and CRC: what a client can send on purpose.
     */
    private static MemoryRecords rewritten(Compression compression, int count, java.util.function.UnaryOperator<byte[]> change) {
        ByteBuffer plain = batch(Compression.NONE, -1, (short) -1, -1, false, sample()).buffer();
        byte[] bytes = new byte[plain.remaining()];
        plain.get(bytes);
        byte[] records = change.apply(java.util.Arrays.copyOfRange(bytes, 61, bytes.length));
        org.apache.kafka.common.utils.ByteBufferOutputStream out = new org.apache.kafka.common.utils.ByteBufferOutputStream(256);
        try (java.io.OutputStream compressed = compression.wrapForOutput(out, RecordBatch.MAGIC_VALUE_V2)) {
            compressed.write(records);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ByteBuffer written = out.buffer().flip();
        ByteBuffer batch = ByteBuffer.allocate(61 + written.remaining()).put(bytes, 0, 61).put(written).flip();
        short attributes = batch.getShort(21);
        batch.putInt(8, batch.limit() - 12)
                .putShort(21, (short) ((attributes & ~0x07) | compression.type().id))
                .putInt(57, count);
        batch.putInt(17, (int) org.apache.kafka.common.utils.Crc32C.compute(batch, 21, batch.limit() - 21));
        return MemoryRecords.readableRecords(batch);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void aHugeDeclaredRecordCountIsRejectedWithoutSizingAnything(String name, Compression compression) {
        // kafka-clients' batch iterator sizes a list by this count: 2^31 - 1 is an OutOfMemoryError there.
        MemoryRecords records = rewritten(compression, Integer.MAX_VALUE, r -> r);

        assertThat(records.batches().iterator().next().isValid()).isTrue();
        assertThatThrownBy(() -> BatchDecoder.decode(TP, records, PLAIN, NOW))
                .isInstanceOf(InvalidRecordException.class)
                // The batch format checks the header's offset range against the count first, as Kafka does.
                .hasMessageMatching("(?s).*(premature EOF|offset range).*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void aHugeRecordLengthIsRejectedWithoutAllocatingIt(String name, Compression compression) {
        // The first record's length varint (1 byte here) becomes 2^31 - 1 (5 bytes): kafka-clients' stream reader
        // allocates that much before reading.
        MemoryRecords records = rewritten(compression, 4, r -> {
            byte[] huge = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
            byte[] out = java.util.Arrays.copyOf(huge, huge.length + r.length - 1);
            System.arraycopy(r, 1, out, huge.length, r.length - 1);
            return out;
        });

        assertThatThrownBy(() -> BatchDecoder.decode(TP, records, PLAIN, NOW))
                .isInstanceOfAny(InvalidRecordException.class, CorruptRecordException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void recordsLeftAfterTheDeclaredCountAreRejected(String name, Compression compression) {
        MemoryRecords records = rewritten(compression, 3, r -> r);

        assertThatThrownBy(() -> BatchDecoder.decode(TP, records, PLAIN, NOW))
                .isInstanceOfAny(InvalidRecordException.class, CorruptRecordException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void rewrittenBatchesDecodeAsTheOriginal(String name, Compression compression) {
        assertSampleRecords(records(BatchDecoder.decode(TP, rewritten(compression, 4, r -> r), PLAIN, NOW)), false);
    }

    /** An idempotent batch with its producer epoch or base sequence overwritten (CRC fixed), as a fuzzer would send. */
    private static MemoryRecords withProducerFields(short epoch, int baseSequence) {
        java.nio.ByteBuffer b = batch(Compression.NONE, 7L, (short) 0, 0, false, sample()).buffer().duplicate();
        b.putShort(51, epoch);
        b.putInt(53, baseSequence);
        long crc = org.apache.kafka.common.utils.Crc32C.compute(b, 21, b.limit() - 21);
        b.putInt(17, (int) crc);
        return MemoryRecords.readableRecords(b);
    }

    @Test
    void idempotentBatchWithANegativeEpochOrSequenceIsRefused() {
        assertThatThrownBy(() -> BatchDecoder.decode(TP, withProducerFields((short) -2, 0), PLAIN, NOW))
                .isInstanceOf(org.apache.kafka.common.errors.InvalidProducerEpochException.class);
        assertThatThrownBy(() -> BatchDecoder.decode(TP, withProducerFields((short) 0, -5), PLAIN, NOW))
                .isInstanceOf(InvalidRecordException.class);
        assertThat(BatchDecoder.decode(TP, withProducerFields((short) 0, 0), PLAIN, NOW).idempotent()).isTrue();
    }

    // ---- timestamps, as Kafka checks them (and negative ones, which Korvet could not send back) ----

    /** The batch with its base timestamp (and so every record's) moved to {@code base}, CRC fixed: a raw client's. */
    static MemoryRecords withBaseTimestamp(MemoryRecords records, long base) {
        ByteBuffer b = ByteBuffer.allocate(records.sizeInBytes()).put(records.buffer()).flip();
        b.putLong(27, base);
        b.putInt(17, (int) org.apache.kafka.common.utils.Crc32C.compute(b, 21, b.limit() - 21));
        return MemoryRecords.readableRecords(b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void negativeTimestampsOtherThanNoneAreInvalid(String name, Compression compression) {
        MemoryRecords negative = withBaseTimestamp(batch(compression, -1, (short) -1, -1, false, new SimpleRecord(0L, b("k"), b("v"))), -10L);

        assertThat(negative.batches().iterator().next().isValid()).isTrue();
        assertThatThrownBy(() -> BatchDecoder.decode(TP, negative, PLAIN, NOW))
                .isInstanceOf(org.apache.kafka.common.errors.InvalidTimestampException.class)
                .hasMessageContaining("-10");
        // -1 means no timestamp, as in Kafka.
        MemoryRecords none = batch(compression, -1, (short) -1, -1, false, new SimpleRecord(RecordBatch.NO_TIMESTAMP, b("k"), b("v")));
        assertThat(records(BatchDecoder.decode(TP, none, PLAIN, NOW)).get(0).timestamp()).isEqualTo(RecordBatch.NO_TIMESTAMP);
    }

    @Test
    void timestampsOutsideTheTopicsBoundsAreInvalidOnCreateTimeTopicsOnly() {
        Topic bounded = new Topic(record(), 1_048_588, false, false, 1, 60_000, 3_600_000);
        MemoryRecords future = batch(Compression.NONE, -1, (short) -1, -1, false, new SimpleRecord(NOW + 7_200_000, b("k"), b("v")));
        MemoryRecords past = batch(Compression.NONE, -1, (short) -1, -1, false, new SimpleRecord(NOW - 120_000, b("k"), b("v")));
        MemoryRecords near = batch(Compression.NONE, -1, (short) -1, -1, false,
                new SimpleRecord(NOW - 59_000, b("k"), b("v")), new SimpleRecord(NOW + 3_500_000, b("k"), b("v")));

        assertThatThrownBy(() -> BatchDecoder.decode(TP, future, bounded, NOW))
                .isInstanceOf(org.apache.kafka.common.errors.InvalidTimestampException.class)
                .hasMessageContaining("out of range").hasMessageContaining(String.valueOf(NOW + 3_600_000));
        assertThatThrownBy(() -> BatchDecoder.decode(TP, past, bounded, NOW))
                .isInstanceOf(org.apache.kafka.common.errors.InvalidTimestampException.class);
        assertThat(records(BatchDecoder.decode(TP, near, bounded, NOW))).hasSize(2);
        // LogAppendTime topics stamp the broker's time: what the producer set does not matter.
        Topic appendTime = new Topic(record(), 1_048_588, true, false, 1, 60_000, 3_600_000);
        assertThat(records(BatchDecoder.decode(TP, future, appendTime, NOW)).get(0).timestamp()).isEqualTo(NOW);
    }

    @Test
    void aNegativeProducerIdOtherThanMinusOneStoresNoProducerFields() {
        java.nio.ByteBuffer b = batch(Compression.NONE, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, false, sample()).buffer().duplicate();
        b.putLong(43, -5L);
        b.putInt(17, (int) org.apache.kafka.common.utils.Crc32C.compute(b, 21, b.limit() - 21));
        IncomingBatch decoded = BatchDecoder.decode(TP, MemoryRecords.readableRecords(b), PLAIN, NOW);
        assertThat(decoded.idempotent()).isFalse();
        assertThat(decoded.header().producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
    }
}
