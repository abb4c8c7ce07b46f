package io.korvet.topic;

import java.util.concurrent.CompletionStage;

/** What topics need of the partition logs; implemented by the log layer, so that topics do not depend on it. */
public interface PartitionLogs {

    /**
     * Deletes partitions {@code [from, to)} of a topic: refuses further appends to them, drops what is
     * cached about them, and removes their logs from storage once the appends in flight are done.
     */
    CompletionStage<Void> deletePartitions(String topic, int from, int to);

    /** Drops what is cached about partitions {@code [0, count)} of a topic another broker deleted; storage is untouched. */
    void forgetPartitions(String topic, int count);
}
