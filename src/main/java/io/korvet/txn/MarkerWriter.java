package io.korvet.txn;

import io.korvet.log.TransactionMarker;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** Writes a transaction's marker to one of its partitions, through that partition's leader. */
public interface MarkerWriter {

    /** Completes when the marker is in the partition (or the partition no longer exists). */
    CompletionStage<Void> write(TopicPartition tp, TransactionMarker marker);
}
