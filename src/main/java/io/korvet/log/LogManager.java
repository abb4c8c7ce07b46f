package io.korvet.log;

import io.korvet.storage.PartitionStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/** The partitions this broker leads (on a single broker: all of them), created on first use. */
public final class LogManager {

    private final PartitionStore store;
    private final int producerStateScan;
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();

    public LogManager(PartitionStore store, int producerStateScan) {
        this.store = store;
        this.producerStateScan = producerStateScan;
    }

    public PartitionLog log(TopicPartition tp) {
        return logs.computeIfAbsent(tp, p -> new PartitionLog(p, store, producerStateScan));
    }

    public PartitionStore store() {
        return store;
    }
}
