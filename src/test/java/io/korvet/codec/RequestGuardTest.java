package io.korvet.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignmentCollection;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicCollection;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.types.BoundField;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Type;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;

class RequestGuardTest {

    private static ByteBuffer frame(ApiKeys api, short version, ApiMessage data) {
        RequestHeader header = new RequestHeader(api, version, "guard-test", 1);
        return RequestUtils.serialize(header.data(), header.headerVersion(), data, version);
    }

    private static ByteBuffer createTopics(int count, IntFunction<String> name) {
        CreatableTopicCollection topics = new CreatableTopicCollection();
        for (int i = 0; i < count; i++) {
            topics.add(new CreatableTopic().setName(name.apply(i)).setNumPartitions(1).setReplicationFactor((short) 1));
        }
        return frame(ApiKeys.CREATE_TOPICS, (short) 7, new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(1000));
    }

    /** Distinct strings of one hashCode: "Aa" and "BB" hash alike, and so does any sequence of them. */
    private static String colliding(int i) {
        StringBuilder s = new StringBuilder();
        for (int bit = 0; bit < 8; bit++) {
            s.append(((i >> bit) & 1) == 0 ? "Aa" : "BB");
        }
        return s.toString();
    }

    @Test
    void findsTheKeyedCollectionsOfKafkaClientsInTheRequestSchemas() {
        Map<ApiKeys, Set<String>> guarded = RequestGuard.guardedFields();
        assertThat(guarded.get(ApiKeys.PRODUCE)).contains("topic_data");
        assertThat(guarded.get(ApiKeys.CREATE_TOPICS)).contains("topics", "assignments", "configs");
        assertThat(guarded.get(ApiKeys.JOIN_GROUP)).contains("protocols");
        assertThat(guarded.get(ApiKeys.INCREMENTAL_ALTER_CONFIGS)).contains("resources", "configs");
        assertThat(guarded).doesNotContainKey(ApiKeys.FETCH).doesNotContainKey(ApiKeys.METADATA);
        // Every name is an array field of the API's request schema, at some depth and version.
        guarded.forEach((api, names) -> {
            List<String> arrays = new ArrayList<>();
            for (Schema s : ApiMessageType.fromApiKey(api.id).requestSchemas()) {
                if (s != null) {
                    arrayNames(s, arrays);
                }
            }
            assertThat(arrays).as("array fields of %s", api).containsAll(names);
        });
    }

    private static void arrayNames(Type type, List<String> out) {
        if (type instanceof Schema schema) {
            for (BoundField f : schema.fields()) {
                if (f.def.type.isArray()) {
                    out.add(f.def.name);
                    f.def.type.arrayElementType().ifPresent(e -> arrayNames(e, out));
                } else {
                    arrayNames(f.def.type, out);
                }
            }
        }
    }

    @Test
    void oneTopicRepeatedManyTimesIsRefused() {
        // A few repeats are answered (INVALID_REQUEST for each, by the handler); many would take kafka-clients minutes.
        assertThat(RequestGuard.refusal(createTopics(2, i -> "twice"))).isNull();
        assertThat(RequestGuard.refusal(createTopics(RequestGuard.MAX_ALIKE_KEYS + 1, i -> "again")))
                .contains("CREATE_TOPICS v7", "'topics'", "hash alike");
    }

    @Test
    void distinctKeysWithOneHashCodeAreRefused() {
        assertThat(colliding(1).hashCode()).isEqualTo(colliding(2).hashCode());
        assertThat(RequestGuard.refusal(createTopics(64, RequestGuardTest::colliding))).contains("hash alike");
    }

    @Test
    void manyDistinctKeysPassUpToTheRecordsOfOneOperation() {
        assertThat(RequestGuard.refusal(createTopics(RequestGuard.MAX_KEYED_ELEMENTS, i -> "topic-" + i))).isNull();
        assertThat(RequestGuard.refusal(createTopics(RequestGuard.MAX_KEYED_ELEMENTS + 1, i -> "topic-" + i)))
                .contains("10001 elements in 'topics'");

        CreatableReplicaAssignmentCollection assignments = new CreatableReplicaAssignmentCollection();
        for (int p = 0; p < 2_000; p++) {
            assignments.add(new CreatableReplicaAssignment().setPartitionIndex(p).setBrokerIds(List.of(0)));
        }
        CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(new CreatableTopic().setName("assigned").setNumPartitions(-1).setReplicationFactor((short) -1)
                .setAssignments(assignments));
        assertThat(RequestGuard.refusal(frame(ApiKeys.CREATE_TOPICS, (short) 5, new CreateTopicsRequestData().setTopics(topics))))
                .isNull();
    }

    @Test
    void ordinaryRequestsPass() {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        for (int t = 0; t < 50; t++) {
            topics.add(new ProduceRequestData.TopicProduceData().setName("orders-" + t).setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                            MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))))));
        }
        assertThat(RequestGuard.refusal(frame(ApiKeys.PRODUCE, (short) 12,
                new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000).setTopicData(topics)))).isNull();

        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[3]));
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("cooperative-sticky").setMetadata(new byte[3]));
        assertThat(RequestGuard.refusal(frame(ApiKeys.JOIN_GROUP, (short) 9, new JoinGroupRequestData().setGroupId("g")
                .setMemberId("").setProtocolType("consumer").setProtocols(protocols)))).isNull();

        // APIs without keyed collections are not looked at; neither are frames that are not requests at all.
        assertThat(RequestGuard.refusal(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData()))).isNull();
        assertThat(RequestGuard.refusal(ByteBuffer.wrap(new byte[] {0, 19, 0, 7, 1, 2, 3}))).isNull();
        assertThat(RequestGuard.refusal(ByteBuffer.wrap(new byte[] {127, 127, 0, 0, 0}))).isNull();
    }

    @Test
    void theFrameDecoderHandsOnARefusedFrameAsInvalid() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(10_000_000));
        try {
            ByteBuffer refused = createTopics(100, i -> "same");
            byte[] bytes = new byte[refused.remaining()];
            refused.get(bytes);
            ByteBuffer next = createTopics(1, i -> "fine");
            channel.writeInbound(Unpooled.buffer().writeInt(bytes.length).writeBytes(bytes)
                    .writeInt(next.remaining()).writeBytes(next));

            Object first = channel.readInbound();
            assertThat(first).isInstanceOf(KafkaFrameDecoder.InvalidFrame.class);
            assertThat(((KafkaFrameDecoder.InvalidFrame) first).reason()).contains("hash alike");
            assertThat((Object) channel.readInbound()).as("what follows is discarded").isNull();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void snakeCaseMatchesTheSchemaNames() {
        assertThat(RequestGuard.snakeCase("topicData")).isEqualTo("topic_data");
        assertThat(Arrays.asList(RequestGuard.snakeCase("resources"), RequestGuard.snakeCase("partitionIndexes")))
                .containsExactly("resources", "partition_indexes");
    }
}
