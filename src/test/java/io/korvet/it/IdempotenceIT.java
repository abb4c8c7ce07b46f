package io.korvet.it;

import static io.korvet.it.RawRequests.idempotentRecords;
import static io.korvet.it.RawRequests.partition;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idempotent produce driven by raw Produce requests, batch by batch, with Kafka's rules: a retried
 * batch gets its original offset and is not written again, a sequence gap and an older epoch are refused.
 */
class IdempotenceIT {

    static KorvetCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start();
        admin = cluster.sharedAdmin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void duplicatesGapsAndOldEpochsAreHandledAsKafkaDoes() throws Exception {
        String topic = "idempotent-raw";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            InitProducerIdResponse init = c.call(RawRequests.initProducerId());
            assertThat(init.error()).isEqualTo(Errors.NONE);
            long pid = init.data().producerId();
            assertThat(pid).isNotNegative();
            assertThat(init.data().producerEpoch()).isZero();

            PartitionProduceResponse first = produce(c, topic, idempotentRecords(pid, (short) 0, 0, "s0"));
            assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
            assertThat(first.baseOffset()).isZero();

            MemoryRecords seq1to2 = idempotentRecords(pid, (short) 0, 1, "s1", "s2");
            PartitionProduceResponse second = produce(c, topic, seq1to2);
            assertThat(Errors.forCode(second.errorCode())).isEqualTo(Errors.NONE);
            assertThat(second.baseOffset()).isEqualTo(1);
            assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(3);

            // The same batch again (a retry): acknowledged with its original offset, not written twice.
            PartitionProduceResponse retried = produce(c, topic, idempotentRecords(pid, (short) 0, 1, "s1", "s2"));
            assertThat(Errors.forCode(retried.errorCode())).isEqualTo(Errors.NONE);
            assertThat(retried.baseOffset()).isEqualTo(1);
            assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(3);

            // An older batch still among the last five is a duplicate too.
            PartitionProduceResponse retriedFirst = produce(c, topic, idempotentRecords(pid, (short) 0, 0, "s0"));
            assertThat(Errors.forCode(retriedFirst.errorCode())).isEqualTo(Errors.NONE);
            assertThat(retriedFirst.baseOffset()).isZero();
            assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(3);

            // A gap in the sequence.
            PartitionProduceResponse gap = produce(c, topic, idempotentRecords(pid, (short) 0, 10, "s10"));
            assertThat(Errors.forCode(gap.errorCode())).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
            assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(3);

            // The next sequence still works after the refused gap.
            PartitionProduceResponse third = produce(c, topic, idempotentRecords(pid, (short) 0, 3, "s3"));
            assertThat(Errors.forCode(third.errorCode())).isEqualTo(Errors.NONE);
            assertThat(third.baseOffset()).isEqualTo(3);

            // A new epoch starts at sequence 0; the old epoch is then fenced.
            PartitionProduceResponse newEpoch = produce(c, topic, idempotentRecords(pid, (short) 1, 0, "e1s0"));
            assertThat(Errors.forCode(newEpoch.errorCode())).isEqualTo(Errors.NONE);
            assertThat(newEpoch.baseOffset()).isEqualTo(4);
            PartitionProduceResponse oldEpoch = produce(c, topic, idempotentRecords(pid, (short) 0, 4, "s4"));
            assertThat(Errors.forCode(oldEpoch.errorCode())).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);

            assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(5);
            FetchResponse fetched = c.call(RawRequests.fetch(topic, 0, 0, 0, 1));
            assertThat(RawRequests.values(RawRequests.onlyPartition(fetched)))
                    .containsExactly("0:s0", "1:s1", "2:s2", "3:s3", "4:e1s0");
        }
        assertBrokerStillServes();
    }

    @Test
    void newEpochNotStartingAtSequenceZeroIsOutOfOrder() throws Exception {
        String topic = "idempotent-epoch";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            InitProducerIdResponse init = c.call(RawRequests.initProducerId());
            long pid = init.data().producerId();
            assertThat(Errors.forCode(produce(c, topic, idempotentRecords(pid, (short) 0, 0, "a")).errorCode())).isEqualTo(Errors.NONE);
            PartitionProduceResponse r = produce(c, topic, idempotentRecords(pid, (short) 1, 5, "b"));
            assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
            assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(1);
        }
        assertBrokerStillServes();
    }

    private static PartitionProduceResponse produce(RawKafkaConnection c, String topic, MemoryRecords records) throws Exception {
        ProduceResponse r = c.call(RawRequests.produce((short) -1, topic, Map.of(0, records)));
        return partition(r, 0);
    }

    static void assertBrokerStillServes() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            MetadataResponse r = c.call(RawRequests.metadataAllTopics());
            assertThat(r.brokers()).hasSize(1);
        }
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).isNotEmpty();
    }
}
