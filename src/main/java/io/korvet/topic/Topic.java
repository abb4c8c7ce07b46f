package io.korvet.topic;

import io.korvet.config.KorvetConfig;
import io.korvet.storage.StreamFormat;
import io.korvet.storage.TopicRecord;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A registered topic with the configs in force for it.
 *
 * @param minInsyncReplicas copies (the Redis master and its replicas) that must hold an append before acks=all
 *     acknowledges it
 * @param timestampBeforeMaxMs how far before now a record's CreateTime may be ({@code message.timestamp.before.max.ms})
 * @param timestampAfterMaxMs how far after now a record's CreateTime may be ({@code message.timestamp.after.max.ms})
 * @param compressionType the topic's {@code compression.type}: {@code producer} keeps the producer's codec, any
 *     other value is the codec batches are stored with
 */
public record Topic(TopicRecord record, int maxMessageBytes, boolean logAppendTime, boolean compacted, int minInsyncReplicas,
                    long timestampBeforeMaxMs, long timestampAfterMaxMs, String compressionType) {

    public Topic(TopicRecord record, int maxMessageBytes, boolean logAppendTime, boolean compacted, int minInsyncReplicas,
                 long timestampBeforeMaxMs, long timestampAfterMaxMs) {
        this(record, maxMessageBytes, logAppendTime, compacted, minInsyncReplicas, timestampBeforeMaxMs, timestampAfterMaxMs,
                "producer");
    }

    /** A topic whose record timestamps may be any distance from now (no {@code message.timestamp.*.max.ms} bound). */
    public Topic(TopicRecord record, int maxMessageBytes, boolean logAppendTime, boolean compacted, int minInsyncReplicas) {
        this(record, maxMessageBytes, logAppendTime, compacted, minInsyncReplicas, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    static Topic of(TopicRecord record, KorvetConfig broker) {
        return of(record, new BrokerConfigs(broker));
    }

    static Topic of(TopicRecord record, BrokerConfigs broker) {
        Map<String, String> c = record.configs();
        return new Topic(record,
                Integer.parseInt(TopicConfigs.effective(c, TopicConfigs.MAX_MESSAGE_BYTES, broker).trim()),
                TopicConfigs.effective(c, TopicConfigs.MESSAGE_TIMESTAMP_TYPE, broker).trim().equals("LogAppendTime"),
                TopicConfigs.effective(c, TopicConfigs.CLEANUP_POLICY, broker).contains("compact"),
                Integer.parseInt(TopicConfigs.effective(c, TopicConfigs.MIN_INSYNC_REPLICAS, broker).trim()),
                Long.parseLong(TopicConfigs.effective(c, TopicConfigs.TIMESTAMP_BEFORE_MAX_MS, broker).trim()),
                Long.parseLong(TopicConfigs.effective(c, TopicConfigs.TIMESTAMP_AFTER_MAX_MS, broker).trim()),
                TopicConfigs.effective(c, TopicConfigs.COMPRESSION_TYPE, broker).trim());
    }

    public String name() {
        return record.name();
    }

    public Uuid id() {
        return record.id();
    }

    /** How the topic's partition streams hold its records. */
    public StreamFormat format() {
        return record.format();
    }

    public int partitions() {
        return record.partitions();
    }

    public boolean hasPartition(int partition) {
        return partition >= 0 && partition < record.partitions();
    }
}
