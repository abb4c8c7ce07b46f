package io.korvet.handler;

import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.config.Endpoint;
import io.korvet.handler.PartitionReads.Read;
import io.korvet.handler.fetch.PartitionKey;
import io.korvet.log.FetchedRecordsAssembler;
import io.korvet.storage.StoredBatches;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the reads of a Fetch into each partition's answer: the records within the partition's and the response's
 * byte limits (at least one whole batch first, KIP-74), offsets and errors, and where a partition moved, its leader.
 */
final class FetchAnswers {

    private static final Logger log = LoggerFactory.getLogger(FetchAnswers.class);

    private final PartitionLeadership leadership;
    private final TopicTraffic traffic;

    FetchAnswers(PartitionLeadership leadership, TopicTraffic traffic) {
        this.leadership = leadership;
        this.traffic = traffic;
    }

    /** One answer per read, in the reads' order, the records within {@code maxBytes} over all of them. */
    LinkedHashMap<PartitionKey, PartitionData> answers(List<Read> reads, int maxBytes, short version) {
        LinkedHashMap<PartitionKey, PartitionData> out = new LinkedHashMap<>();
        int budget = Math.max(0, maxBytes);
        boolean firstData = true;
        for (Read r : reads) {
            PartitionData pd = new PartitionData()
                    .setPartitionIndex(r.wanted().request().partition())
                    .setErrorCode(r.error().code())
                    .setHighWatermark(r.highWatermark())
                    .setLastStableOffset(r.lastStableOffset())
                    .setLogStartOffset(r.logStartOffset())
                    .setPreferredReadReplica(r.preferredReadReplica())
                    .setRecords(MemoryRecords.EMPTY);
            out.put(r.wanted().key(), pd);
            if (r.aborted() != null) {
                List<FetchResponseData.AbortedTransaction> aborted = new java.util.ArrayList<>(r.aborted().size());
                for (io.korvet.storage.AbortedTxn a : r.aborted()) {
                    aborted.add(new FetchResponseData.AbortedTransaction().setProducerId(a.producerId()).setFirstOffset(a.firstOffset()));
                }
                pd.setAbortedTransactions(aborted);
            }
            if (r.error() == Errors.NOT_LEADER_OR_FOLLOWER && version >= 12) {
                int partition = r.wanted().request().partition();
                pd.currentLeader().setLeaderId(leadership.leaderOf(r.wanted().topic(), partition))
                        .setLeaderEpoch(leadership.epochOf(r.wanted().topic(), partition));
            }
            int limit = Math.min(budget, Math.max(0, r.wanted().request().partitionMaxBytes()));
            int sent = !r.batches().isEmpty() ? addBatches(r, pd, limit, firstData) : addRecords(r, pd, limit, firstData);
            if (sent > 0) {
                budget = Math.max(0, budget - sent);
                firstData = false;
            }
        }
        return out;
    }

    /** The stored batches that fit; returns their bytes. */
    private int addBatches(Read r, PartitionData pd, int limit, boolean firstData) {
        StoredBatches sent = withinLimit(r.batches(), limit, firstData);
        if (sent.isEmpty()) {
            return 0;
        }
        MemoryRecords records = MemoryRecords.readableRecords(sent.buffer());
        pd.setRecords(records);
        long handed = 0;
        for (int i = 0; i < sent.count(); i++) {
            handed += sent.lastOffset(i) - sent.baseOffset(i) + 1;
        }
        traffic.fetched(r.wanted().topic().name(), handed, records.sizeInBytes());
        if (r.count() > 0) {
            r.wanted().log().readAhead(sent.lastOffset(sent.count() - 1) + 1, r.count(), true);
        }
        return records.sizeInBytes();
    }

    /** Batches built from stored records (the record format); returns their bytes. */
    private int addRecords(Read r, PartitionData pd, int limit, boolean firstData) {
        if (r.records().isEmpty()) {
            return 0;
        }
        FetchedRecordsAssembler.Assembled assembled;
        try {
            assembled = FetchedRecordsAssembler.assemble(r.records(), limit, firstData,
                    r.wanted().topic().logAppendTime() ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME);
        } catch (RuntimeException e) {
            // A stored record kafka-clients cannot write into a batch (one a broker before the produce checks
            // took): this partition is answered as Kafka answers a corrupt one; the others are not held up.
            log.error("Records of {} from offset {} cannot be sent", r.wanted().topic().name() + "-" + r.wanted().request().partition(),
                    r.wanted().request().fetchOffset(), e);
            pd.setErrorCode(Errors.CORRUPT_MESSAGE.code());
            return 0;
        }
        if (assembled.sizeInBytes() == 0) {
            return 0;
        }
        pd.setRecords(assembled.records());
        traffic.fetched(r.wanted().topic().name(), assembled.nextOffset() - r.records().get(0).offset(), assembled.sizeInBytes());
        // A consumer behind the high watermark fetches from here next: have Redis read it now.
        if (r.count() > 0) {
            r.wanted().log().readAhead(assembled.nextOffset(), r.count(), false);
        }
        return assembled.sizeInBytes();
    }

    /** From v16, the endpoints of the leaders the response's NOT_LEADER_OR_FOLLOWER partitions name (KIP-951). */
    void addLeaderEndpoints(FetchResponseData out, short version, String listenerName) {
        if (version < 16) {
            return;
        }
        for (FetchableTopicResponse topic : out.responses()) {
            for (PartitionData pd : topic.partitions()) {
                int leader = pd.currentLeader().leaderId();
                if (pd.errorCode() != Errors.NOT_LEADER_OR_FOLLOWER.code() || leader < 0 || out.nodeEndpoints().find(leader) != null) {
                    continue;
                }
                BrokerInfo b = leadership.view().broker(leader);
                Endpoint e = b == null ? null : b.on(listenerName);
                if (e != null) {
                    out.nodeEndpoints().add(new FetchResponseData.NodeEndpoint()
                            .setNodeId(leader).setHost(e.host()).setPort(e.port()).setRack(b.rack()));
                }
            }
        }
    }

    /**
     * The stored batches a partition's answer carries: as many whole ones as fit in {@code limit} bytes, and at least
     * the first when it is the response's first data, however large (KIP-74), so that a consumer always progresses.
     */
    static StoredBatches withinLimit(StoredBatches batches, int limit, boolean firstData) {
        int n = 0;
        while (n < batches.count() && batches.bytesThrough(n) <= limit) {
            n++;
        }
        if (n == 0 && firstData) {
            n = 1;
        }
        return batches.first(n);
    }
}
