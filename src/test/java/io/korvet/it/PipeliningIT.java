package io.korvet.it;

import static io.korvet.it.RawRequests.partition;
import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.it.RawKafkaConnection.Response;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several requests in flight on one connection, acks=0 (no response at all), and long-polling fetches. */
class PipeliningIT {

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

    private static void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
    }

    @Test
    void acksZeroProduceGetsNoResponse() throws Exception {
        String topic = "acks-zero";
        createTopic(topic);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            int produceId = c.send(RawRequests.produce((short) 0, topic, Map.of(0, RawRequests.records("fire-and-forget"))));
            int metadataId = c.send(RawRequests.metadataAllTopics());
            Response<MetadataResponse> first = c.receive(ApiKeys.METADATA, RawRequests.metadataAllTopics().version());
            assertThat(first.correlationId()).as("the acks=0 produce (correlation %d) is not answered", produceId)
                    .isEqualTo(metadataId);

            // Nothing else arrives on the connection: reading again times out with the connection open.
            c.setReadTimeout(500);
            assertThat(c.closedByBroker()).isFalse();
            c.setReadTimeout(RawKafkaConnection.DEFAULT_TIMEOUT_MS);

            FetchResponse fetched = c.call(RawRequests.fetch(topic, 0, 0, 0, 1));
            assertThat(RawRequests.values(RawRequests.onlyPartition(fetched))).containsExactly("0:fire-and-forget");
        }
        assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(1);
    }

    @Test
    void fiftyPipelinedRequestsAreAnsweredInRequestOrder() throws Exception {
        String topic = "pipelined";
        createTopic(topic);
        List<AbstractRequest> requests = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            switch (i % 4) {
                case 0 -> requests.add(RawRequests.metadataAllTopics());
                case 1 -> requests.add(RawRequests.apiVersions((short) 3));
                case 2 -> requests.add(RawRequests.listOffsets(topic, 0, -1L));
                default -> requests.add(RawRequests.produce((short) 1, topic, Map.of(0, RawRequests.records("p" + i))));
            }
        }
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            // All 50 written at once (one write), none read until all are sent.
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            List<Integer> correlationIds = new ArrayList<>();
            for (AbstractRequest r : requests) {
                int id = 1000 + 7 * correlationIds.size();
                correlationIds.add(id);
                all.writeBytes(RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(r, id)));
            }
            c.sendRaw(all.toByteArray());

            List<Integer> answered = new ArrayList<>();
            long nextProduceOffset = 0;
            for (AbstractRequest r : requests) {
                Response<AbstractResponse> response = c.receive(r.apiKey(), r.version());
                answered.add(response.correlationId());
                AbstractResponse body = response.body();
                if (body instanceof ProduceResponse produce) {
                    assertThat(Errors.forCode(partition(produce, 0).errorCode())).isEqualTo(Errors.NONE);
                    // Appends happen in arrival order: the n-th produce gets offset n.
                    assertThat(partition(produce, 0).baseOffset()).isEqualTo(nextProduceOffset++);
                } else if (body instanceof ApiVersionsResponse versions) {
                    assertThat(Errors.forCode(versions.data().errorCode())).isEqualTo(Errors.NONE);
                } else if (body instanceof ListOffsetsResponse offsets) {
                    assertThat(Errors.forCode(RawRequests.onlyPartition(offsets).errorCode())).isEqualTo(Errors.NONE);
                } else if (body instanceof MetadataResponse metadata) {
                    assertThat(metadata.topicMetadata()).isNotEmpty();
                }
            }
            assertThat(answered).containsExactlyElementsOf(correlationIds);
            assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(nextProduceOffset);
        }
    }

    @Test
    void moreRequestsInFlightThanTheBrokerBuffersAreAllAnsweredInOrder() throws Exception {
        // Past 1000 unanswered requests the broker stops reading the connection until it catches up.
        String topic = "many-in-flight";
        createTopic(topic);
        int count = 1500;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            all.writeBytes(RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(
                    RawRequests.produce((short) 1, topic, Map.of(0, RawRequests.records("m" + i))), i)));
        }
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.sendRaw(all.toByteArray());
            for (int i = 0; i < count; i++) {
                Response<ProduceResponse> r = c.receive(ApiKeys.PRODUCE, RawRequests.PRODUCE_BY_NAME);
                assertThat(r.correlationId()).isEqualTo(i);
                assertThat(Errors.forCode(partition(r.body(), 0).errorCode())).isEqualTo(Errors.NONE);
                assertThat(partition(r.body(), 0).baseOffset()).isEqualTo(i);
            }
            assertThat(((MetadataResponse) c.call(RawRequests.metadataAllTopics())).topicMetadata()).isNotEmpty();
        }
        assertThat(RedisProbe.streamLength(cluster, topic, 0)).isEqualTo(count);
    }

    @Test
    void unsupportedApiVersionsAnswerWaitsItsTurnBehindEarlierRequests() throws Exception {
        String topic = "ordered-v0-answer";
        createTopic(topic);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(
                    RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records("first"))), 1)));
            both.writeBytes(RawKafkaConnection.sizePrefixed(RawKafkaConnection.handMadeFrame(
                    ApiKeys.API_VERSIONS.id, (short) 99, 2, true, new byte[] {0, 0, 0})));
            c.sendRaw(both.toByteArray());
            Response<ProduceResponse> produce = c.receive(ApiKeys.PRODUCE, RawRequests.PRODUCE_BY_NAME);
            assertThat(produce.correlationId()).isEqualTo(1);
            Response<ApiVersionsResponse> versions = c.receive(ApiKeys.API_VERSIONS, (short) 0, (short) 0);
            assertThat(versions.correlationId()).isEqualTo(2);
            assertThat(Errors.forCode(versions.body().data().errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void requestsBeforeABadOneAreAnsweredBeforeTheConnectionCloses() throws Exception {
        // Kafka reads one request at a time per connection (the channel is muted until the response is
        // sent), so a pipelined produce is answered before a bad request behind it is even read.
        String topic = "answered-before-close";
        createTopic(topic);
        byte[] garbage = RawKafkaConnection.handMadeFrame((short) 9999, (short) 0, 2, false, new byte[16]);
        byte[] oversized = java.nio.ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array();
        int n = 0;
        for (byte[] bad : List.of(RawKafkaConnection.sizePrefixed(garbage), oversized)) {
            try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
                ByteArrayOutputStream both = new ByteArrayOutputStream();
                both.writeBytes(RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(
                        RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records("before-bad-" + n))), 1)));
                both.writeBytes(bad);
                c.sendRaw(both.toByteArray());
                Response<ProduceResponse> produce = c.receive(ApiKeys.PRODUCE, RawRequests.PRODUCE_BY_NAME);
                assertThat(produce.correlationId()).isEqualTo(1);
                assertThat(Errors.forCode(partition(produce.body(), 0).errorCode())).isEqualTo(Errors.NONE);
                assertThat(partition(produce.body(), 0).baseOffset()).isEqualTo(n);
                assertThat(c.closedByBroker()).isTrue();
            }
            n++;
        }
    }

    @Test
    void requestSplitIntoSingleBytesIsReassembled() throws Exception {
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            byte[] first = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(RawRequests.apiVersions((short) 3), 11));
            byte[] second = RawKafkaConnection.sizePrefixed(RawKafkaConnection.frame(RawRequests.metadataAllTopics(), 12));
            byte[] both = new byte[first.length + second.length];
            System.arraycopy(first, 0, both, 0, first.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            // One byte per write: the frame decoder must join the pieces, and split where the second begins.
            for (byte b : both) {
                c.sendRaw(new byte[] {b});
            }
            Response<ApiVersionsResponse> versions = c.receive(ApiKeys.API_VERSIONS, (short) 3);
            assertThat(versions.correlationId()).isEqualTo(11);
            assertThat(Errors.forCode(versions.body().data().errorCode())).isEqualTo(Errors.NONE);
            Response<MetadataResponse> metadata = c.receive(ApiKeys.METADATA, RawRequests.metadataAllTopics().version());
            assertThat(metadata.correlationId()).isEqualTo(12);
        }
    }

    @Test
    void clientGoneWhileItsFetchWaitsDoesNotHurtTheBroker() throws Exception {
        String topic = "abandoned-fetch";
        createTopic(topic);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            c.send(RawRequests.fetch(topic, 0, 0, 10_000, 1));
        }
        // The parked fetch is woken by this produce and answers a closed connection.
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            ProduceResponse r = c.call(RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records("after-close"))));
            assertThat(Errors.forCode(partition(r, 0).errorCode())).isEqualTo(Errors.NONE);
            FetchResponse f = c.call(RawRequests.fetch(topic, 0, 0, 10_000, 1));
            assertThat(RawRequests.values(RawRequests.onlyPartition(f))).containsExactly("0:after-close");
            assertThat(((MetadataResponse) c.call(RawRequests.metadataAllTopics())).topicMetadata()).isNotEmpty();
        }
    }

    @Test
    void longPollingFetchIsAnsweredWithTheRecordProducedMeanwhile() throws Exception {
        String topic = "long-poll";
        createTopic(topic);
        try (RawKafkaConnection fetcher = RawKafkaConnection.open(cluster.port());
             RawKafkaConnection producer = RawKafkaConnection.open(cluster.port())) {
            fetcher.setReadTimeout(15_000);
            int fetchId = fetcher.send(RawRequests.fetch(topic, 0, 0, 10_000, 1));
            CompletableFuture<ProduceResponse> produced = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(300);
                    return producer.call(RawRequests.produce((short) -1, topic, Map.of(0, RawRequests.records("woken-up"))));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Response<FetchResponse> response = fetcher.receive(ApiKeys.FETCH, RawRequests.FETCH_BY_NAME);
            assertThat(response.correlationId()).isEqualTo(fetchId);
            FetchResponseData.PartitionData pd = RawRequests.onlyPartition(response.body());
            assertThat(Errors.forCode(pd.errorCode())).isEqualTo(Errors.NONE);
            assertThat(RawRequests.values(pd)).containsExactly("0:woken-up");
            assertThat(Errors.forCode(partition(produced.get(10, TimeUnit.SECONDS), 0).errorCode())).isEqualTo(Errors.NONE);
        }
    }

    @Test
    void shortFetchWithNothingToReadIsAnsweredEmpty() throws Exception {
        String topic = "nothing-to-read";
        createTopic(topic);
        try (RawKafkaConnection c = RawKafkaConnection.open(cluster.port())) {
            FetchResponse r = c.call(RawRequests.fetch(topic, 0, 0, 200, 1));
            assertThat(Errors.forCode(r.error().code())).isEqualTo(Errors.NONE);
            FetchResponseData.PartitionData pd = RawRequests.onlyPartition(r);
            assertThat(Errors.forCode(pd.errorCode())).isEqualTo(Errors.NONE);
            assertThat(pd.highWatermark()).isZero();
            assertThat(RawRequests.values(pd)).isEmpty();
            assertThat(pd.records().sizeInBytes()).isZero();
        }
    }
}
