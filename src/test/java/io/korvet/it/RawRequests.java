package io.korvet.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/** Requests built with kafka-clients' message classes, and small readers of their responses. */
public final class RawRequests {

    /** Produce versions: the last one naming topics, and the first naming them by id. */
    public static final short PRODUCE_BY_NAME = 12;
    public static final short PRODUCE_BY_ID = 13;
    /** Fetch versions: the last one naming topics, and one naming them by id. */
    public static final short FETCH_BY_NAME = 12;
    public static final short FETCH_BY_ID = 16;

    private RawRequests() {
    }

    public static MetadataRequest metadataAllTopics() {
        return new MetadataRequest(new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(false), (short) 12);
    }

    public static ApiVersionsRequest apiVersions(short version) {
        return new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("korvet-it")
                .setClientSoftwareVersion("1.0"), version);
    }

    public static InitProducerIdRequest initProducerId() {
        return new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null)
                .setTransactionTimeoutMs(Integer.MAX_VALUE)
                .setProducerId(-1)
                .setProducerEpoch((short) -1)).build((short) 5);
    }

    public static MemoryRecords records(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    public static MemoryRecords idempotentRecords(long producerId, short epoch, int baseSequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence, records);
    }

    /** A Produce request naming the topic (v12) with one batch per partition. */
    public static ProduceRequest produce(short acks, String topic, Map<Integer, MemoryRecords> byPartition) {
        return produce(PRODUCE_BY_NAME, acks, new TopicProduceData().setName(topic), byPartition);
    }

    /** A Produce request naming the topic by id (v13) with one batch per partition. */
    public static ProduceRequest produceById(short acks, Uuid topicId, Map<Integer, MemoryRecords> byPartition) {
        return produce(PRODUCE_BY_ID, acks, new TopicProduceData().setTopicId(topicId), byPartition);
    }

    private static ProduceRequest produce(short version, short acks, TopicProduceData topicData, Map<Integer, MemoryRecords> byPartition) {
        List<PartitionProduceData> partitions = new ArrayList<>();
        byPartition.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                partitions.add(new PartitionProduceData().setIndex(e.getKey()).setRecords(e.getValue())));
        topicData.setPartitionData(partitions);
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(topicData);
        ProduceRequestData data = new ProduceRequestData()
                .setAcks(acks)
                .setTimeoutMs(10_000)
                .setTransactionalId(null)
                .setTopicData(topics);
        return new ProduceRequest(data, version);
    }

    /** The response of one partition of a single-topic Produce response. */
    public static PartitionProduceResponse partition(ProduceResponse response, int partition) {
        for (TopicProduceResponse t : response.data().responses()) {
            for (PartitionProduceResponse p : t.partitionResponses()) {
                if (p.index() == partition) {
                    return p;
                }
            }
        }
        throw new AssertionError("no response for partition " + partition + " in " + response.data());
    }

    /** A Fetch of one partition by topic name (v12). */
    public static FetchRequest fetch(String topic, int partition, long offset, int maxWaitMs, int minBytes) {
        FetchTopic ft = new FetchTopic().setTopic(topic).setPartitions(List.of(fetchPartition(partition, offset)));
        return new FetchRequest(fetchData(maxWaitMs, minBytes, ft), FETCH_BY_NAME);
    }

    /** A Fetch of one partition by topic id (v16). */
    public static FetchRequest fetchById(Uuid topicId, int partition, long offset, int maxWaitMs, int minBytes) {
        FetchTopic ft = new FetchTopic().setTopicId(topicId).setPartitions(List.of(fetchPartition(partition, offset)));
        return new FetchRequest(fetchData(maxWaitMs, minBytes, ft), FETCH_BY_ID);
    }

    /**
     * A Fetch in a session (KIP-227): {@code offsets} maps each partition sent to its fetch offset (topics named by
     * name below v13, by {@code topicId} from v13), {@code forgotten} the partitions the session drops.
     */
    public static FetchRequest sessionFetch(short version, String topic, Uuid topicId, int sessionId, int epoch, int maxWaitMs,
                                            Map<Integer, Long> offsets, List<Integer> forgotten) {
        List<FetchPartition> partitions = new ArrayList<>();
        offsets.forEach((p, offset) -> partitions.add(fetchPartition(p, offset)));
        boolean byId = version >= 13;
        FetchTopic ft = byId ? new FetchTopic().setTopicId(topicId) : new FetchTopic().setTopic(topic);
        FetchRequestData data = fetchData(maxWaitMs, 1, ft.setPartitions(partitions))
                .setSessionId(sessionId)
                .setSessionEpoch(epoch);
        if (partitions.isEmpty()) {
            data.setTopics(List.of());
        }
        if (!forgotten.isEmpty()) {
            FetchRequestData.ForgottenTopic gone = new FetchRequestData.ForgottenTopic().setPartitions(new ArrayList<>(forgotten));
            data.setForgottenTopicsData(List.of(byId ? gone.setTopicId(topicId) : gone.setTopic(topic)));
        }
        return new FetchRequest(data, version);
    }

    /** The partitions of a Fetch response, by index, over all its topics. */
    public static Map<Integer, FetchResponseData.PartitionData> partitions(FetchResponse response) {
        Map<Integer, FetchResponseData.PartitionData> out = new java.util.TreeMap<>();
        for (FetchResponseData.FetchableTopicResponse t : response.data().responses()) {
            for (FetchResponseData.PartitionData p : t.partitions()) {
                out.put(p.partitionIndex(), p);
            }
        }
        return out;
    }

    private static FetchPartition fetchPartition(int partition, long offset) {
        return new FetchPartition()
                .setPartition(partition)
                .setFetchOffset(offset)
                .setCurrentLeaderEpoch(-1)
                .setLastFetchedEpoch(-1)
                .setLogStartOffset(-1)
                .setPartitionMaxBytes(1024 * 1024);
    }

    private static FetchRequestData fetchData(int maxWaitMs, int minBytes, FetchTopic topic) {
        return new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(minBytes)
                .setMaxBytes(50 * 1024 * 1024)
                .setIsolationLevel(IsolationLevel.READ_UNCOMMITTED.id())
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(List.of(topic));
    }

    /** The single partition of a single-topic Fetch response. */
    public static FetchResponseData.PartitionData onlyPartition(FetchResponse response) {
        if (response.data().responses().size() != 1 || response.data().responses().get(0).partitions().size() != 1) {
            throw new AssertionError("expected one topic with one partition in " + response.data());
        }
        return response.data().responses().get(0).partitions().get(0);
    }

    /** The values of the records of a fetched partition, in order, with their offsets. */
    public static List<String> values(FetchResponseData.PartitionData partition) {
        return values(partition, 0);
    }

    /**
     * The records from {@code fetchOffset} on, as a consumer sees them: a batch may start before the offset fetched
     * (Kafka's answers, and the batch format's, carry whole batches), and the client skips what it did not ask for.
     */
    public static List<String> values(FetchResponseData.PartitionData partition, long fetchOffset) {
        List<String> values = new ArrayList<>();
        MemoryRecords records = (MemoryRecords) partition.records();
        for (RecordBatch batch : records.batches()) {
            for (Record r : batch) {
                if (r.offset() < fetchOffset) {
                    continue;
                }
                byte[] bytes = new byte[r.valueSize()];
                r.value().get(bytes);
                values.add(r.offset() + ":" + new String(bytes, StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    /** ListOffsets (v9) for one partition at a timestamp (-1 latest, -2 earliest). */
    public static ListOffsetsRequest listOffsets(String topic, int partition, long timestamp) {
        ListOffsetsTopic t = new ListOffsetsTopic().setName(topic).setPartitions(List.of(
                new ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(timestamp).setCurrentLeaderEpoch(-1)));
        return ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(t))
                .build((short) 9);
    }

    public static ListOffsetsResponseData.ListOffsetsPartitionResponse onlyPartition(ListOffsetsResponse response) {
        if (response.data().topics().size() != 1 || response.data().topics().get(0).partitions().size() != 1) {
            throw new AssertionError("expected one topic with one partition in " + response.data());
        }
        return response.data().topics().get(0).partitions().get(0);
    }
}
