package io.korvet.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class EarlyRejectionsTest {

    private static RecordBatch idempotent(long pid, short epoch, int seq) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, seq, new SimpleRecord("v".getBytes()))
                .firstBatch();
    }

    @Test
    void aRejectedFirstBatchIsHandedToThePartitionsLogOnceByIdOrName() {
        EarlyRejections early = new EarlyRejections();
        Uuid id = Uuid.randomUuid();
        early.rejected(id, 0, idempotent(7, (short) 0, 0));
        early.rejected(id, 0, idempotent(7, (short) 0, 1));   // a later batch of the same producer: the first stays
        early.rejected("by-name", 1, idempotent(8, (short) 2, 5));
        early.rejected(id, 0, MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes())).firstBatch());
        java.util.List<String> told = new java.util.ArrayList<>();
        EarlyRejections.Expectation log0 = recording(told);
        early.applyTo(id, "t", 0, log0);
        early.applyTo(id, "t", 0, log0);
        early.applyTo(Uuid.randomUuid(), "by-name", 1, recording(told));
        assertThat(told).containsExactly("7@0:0", "8@2:5");
    }

    private static EarlyRejections.Expectation recording(java.util.List<String> told) {
        return (pid, epoch, seq) -> told.add(pid + "@" + epoch + ":" + seq);
    }
}
