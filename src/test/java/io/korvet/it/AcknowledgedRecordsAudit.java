package io.korvet.it;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads every partition of a topic written by a {@link SequencedProducer} back from the broker, from offset
 * 0 to the end offset, and checks what a producer with {@code acks=all} and idempotence is promised: offsets
 * dense from 0; each record at most once (no duplicate from a retry); a partition's records in the order they
 * were sent; every acknowledged record present, at the partition and offset its acknowledgement reported.
 * Fails on the first violation with a message saying where it is.
 */
final class AcknowledgedRecordsAudit {

    /** What was read back: records in the log, and how many of them were acknowledged. */
    record Figures(long recordsRead, long acknowledgedFound, long unacknowledgedFound) {
    }

    private AcknowledgedRecordsAudit() {
    }

    static Figures check(KafkaConsumer<String, String> consumer, String topic, int partitions, SequencedProducer sent) {
        BitSet seen = new BitSet(sent.total());
        long read = 0;
        long acknowledged = 0;
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long expectedOffset = 0;
            int lastSeq = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (expectedOffset < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() != expectedOffset) {
                        throw new AssertionError(tp + ": offset " + r.offset() + " where " + expectedOffset + " was expected (offsets not dense)");
                    }
                    int seq = SequencedProducer.seqOf(r.value());
                    if (seq < 0 || seq >= sent.total()) {
                        throw new AssertionError(tp + "@" + r.offset() + ": record " + seq + " was never sent");
                    }
                    if (seen.get(seq)) {
                        throw new AssertionError(tp + "@" + r.offset() + ": record " + seq + " is in the log twice");
                    }
                    if (seq <= lastSeq) {
                        throw new AssertionError(tp + "@" + r.offset() + ": record " + seq + " after record " + lastSeq + " (out of order)");
                    }
                    if (!r.key().equals(SequencedProducer.key(seq))) {
                        throw new AssertionError(tp + "@" + r.offset() + ": record " + seq + " has key " + r.key());
                    }
                    if (sent.isAcked(seq)) {
                        if (sent.ackedPartition(seq) != p || sent.ackedOffset(seq) != r.offset()) {
                            throw new AssertionError("record " + seq + " is at " + tp + "@" + r.offset() + " but was acknowledged at partition "
                                    + sent.ackedPartition(seq) + " offset " + sent.ackedOffset(seq));
                        }
                        acknowledged++;
                    }
                    seen.set(seq);
                    lastSeq = seq;
                    expectedOffset++;
                    read++;
                }
            }
            if (expectedOffset != end) {
                throw new AssertionError(tp + ": read up to offset " + expectedOffset + " of " + end + " within 90 s");
            }
        }
        for (int seq = 0; seq < sent.total(); seq++) {
            if (sent.isAcked(seq) && !seen.get(seq)) {
                throw new AssertionError("acknowledged record " + seq + " (partition " + sent.ackedPartition(seq) + " offset "
                        + sent.ackedOffset(seq) + ") is missing from the log");
            }
        }
        return new Figures(read, acknowledged, read - acknowledged);
    }
}
