package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that missed a registry change still serves a topic created on another broker as soon as a client names
 * it by id: clients learn a new topic's id from one broker's Metadata and produce to its partitions' leaders, which
 * must not answer UNKNOWN_TOPIC_ID for ever. Here the brokers poll the registry once an hour, so that only the
 * reload a request for an unknown id starts can teach broker 2 the topic broker 1 created.
 */
class RegistryPropagationIT {

    @TempDir
    static Path dir;

    static BrokerFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = BrokerFleet.start(dir, "propagation", 2, null, Map.of("korvet.registry.poll.ms", "3600000"));
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    /** Creates the topic through broker 1 alone; returns its id and a partition broker 2 leads. */
    private static Created createThroughBrokerOne(String topic) throws Exception {
        Uuid id;
        List<Integer> ledByTwo = new ArrayList<>();
        try (RawKafkaConnection one = RawKafkaConnection.open(fleet.port(1))) {
            CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
            topics.add(new CreateTopicsRequestData.CreatableTopic().setName(topic).setNumPartitions(4).setReplicationFactor((short) -1));
            CreateTopicsResponse created = one.call(new CreateTopicsRequest.Builder(new CreateTopicsRequestData()
                    .setTopics(topics).setTimeoutMs(30_000)).build((short) 7));
            assertThat(created.data().topics().find(topic).errorCode()).isEqualTo(Errors.NONE.code());
            MetadataResponse metadata = one.call(RawRequests.metadataAllTopics());
            MetadataResponseTopic t = metadata.data().topics().find(topic);
            id = t.topicId();
            for (MetadataResponsePartition p : t.partitions()) {
                if (p.leaderId() == 2) {
                    ledByTwo.add(p.partitionIndex());
                }
            }
        }
        assertThat(ledByTwo).as("partitions broker 2 leads").isNotEmpty();
        return new Created(id, ledByTwo.get(0));
    }

    private record Created(Uuid id, int partition) {
    }

    @Test
    void aTopicCreatedOnOneBrokerIsServedByIdOnAnotherThatMissedTheChange() throws Exception {
        Created c = createThroughBrokerOne("created-elsewhere");
        Uuid id = c.id();
        int partition = c.partition();
        // Broker 2 has not heard of the topic by name: only the id, as a producer that asked broker 1 sends it.
        Errors last = null;
        int attempts = 0;
        try (RawKafkaConnection two = RawKafkaConnection.open(fleet.port(2))) {
            for (; attempts < 50 && last != Errors.NONE; attempts++) {
                if (attempts > 0) {
                    Thread.sleep(100);
                }
                ProduceResponse r = two.call(RawRequests.produceById((short) 1, id, Map.of(partition, RawRequests.records("v" + attempts))));
                last = Errors.forCode(RawRequests.partition(r, partition).errorCode());
                assertThat(last).isIn(Errors.NONE, Errors.UNKNOWN_TOPIC_ID);
            }
        }
        System.out.printf("RegistryPropagationIT: broker 2 accepted the topic by id after %d attempt(s)%n", attempts);
        assertThat(last).isEqualTo(Errors.NONE);
    }

    /**
     * An idempotent producer's first batch answered UNKNOWN_TOPIC_ID, and its second batch (pipelined behind it)
     * arriving once broker 2 knows the topic: the second must wait for the first (OUT_OF_ORDER_SEQUENCE_NUMBER, which
     * the producer retries in order), else the first could never be written after it (CI saw a partition's first
     * batch retried for 120 s and expire, every later one written).
     */
    @Test
    void aLaterBatchIsNotWrittenBeforeAFirstOneAnsweredUnknownTopicId() throws Exception {
        Created c = createThroughBrokerOne("pipelined-first");
        long pid;
        try (RawKafkaConnection one = RawKafkaConnection.open(fleet.port(1))) {
            org.apache.kafka.common.requests.InitProducerIdResponse init = one.call(RawRequests.initProducerId());
            pid = init.data().producerId();
        }
        short epoch = 0;
        try (RawKafkaConnection two = RawKafkaConnection.open(fleet.port(2))) {
            ProduceResponse first = two.call(RawRequests.produceById((short) -1, c.id(),
                    Map.of(c.partition(), RawRequests.idempotentRecords(pid, epoch, 0, "a0", "a1"))));
            assertThat(Errors.forCode(RawRequests.partition(first, c.partition()).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
            Errors second = Errors.UNKNOWN_TOPIC_ID;
            for (int attempt = 0; attempt < 50 && second == Errors.UNKNOWN_TOPIC_ID; attempt++) {
                Thread.sleep(100);
                ProduceResponse r = two.call(RawRequests.produceById((short) -1, c.id(),
                        Map.of(c.partition(), RawRequests.idempotentRecords(pid, epoch, 2, "b2", "b3"))));
                second = Errors.forCode(RawRequests.partition(r, c.partition()).errorCode());
            }
            assertThat(second).as("the later batch, once broker 2 knows the topic").isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
            // The producer resends in order: the first batch, then the second.
            ProduceResponse again = two.call(RawRequests.produceById((short) -1, c.id(),
                    Map.of(c.partition(), RawRequests.idempotentRecords(pid, epoch, 0, "a0", "a1"))));
            assertThat(RawRequests.partition(again, c.partition()).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(RawRequests.partition(again, c.partition()).baseOffset()).isZero();
            ProduceResponse then = two.call(RawRequests.produceById((short) -1, c.id(),
                    Map.of(c.partition(), RawRequests.idempotentRecords(pid, epoch, 2, "b2", "b3"))));
            assertThat(RawRequests.partition(then, c.partition()).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(RawRequests.partition(then, c.partition()).baseOffset()).isEqualTo(2);
        }
    }
}
