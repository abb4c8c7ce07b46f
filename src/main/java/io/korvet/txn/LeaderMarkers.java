package io.korvet.txn;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.log.LogManager;
import io.korvet.log.TransactionMarker;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes markers through each partition's leader: itself where this broker leads the partition, else by asking the
 * leader over a Redis pub/sub channel (Kafka's coordinators send WriteTxnMarkers to the leaders; brokers of Korvet
 * talk through Redis only). A request unanswered within {@link #REPLY_TIMEOUT_MS} fails; the transaction then stays
 * decided and the sweeper asks again, maybe another leader by then. Writing a marker twice is harmless.
 *
 * <p>Requests are {@code <request id> <reply node> <topic> <partition> <pid> <epoch> <C|A> <coordinator epoch>}, answers
 * {@code <request id> <error code>}.
 */
public final class LeaderMarkers implements MarkerWriter {

    private static final Logger log = LoggerFactory.getLogger(LeaderMarkers.class);
    static final long REPLY_TIMEOUT_MS = 5_000;

    /** Publishing on another broker's channel. */
    public interface Channels {
        CompletionStage<Long> publish(String channel, String message);

        String requests(int nodeId);

        String replies(int nodeId);
    }

    private final TopicManager topics;
    private final LogManager logs;
    private final PartitionLeadership leadership;
    private final Channels channels;
    private final int self;
    private final AtomicLong nextRequest = new AtomicLong();
    private final Map<Long, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

    public LeaderMarkers(TopicManager topics, LogManager logs, PartitionLeadership leadership, Channels channels, int self) {
        this.topics = topics;
        this.logs = logs;
        this.leadership = leadership;
        this.channels = channels;
        this.self = self;
    }

    @Override
    public CompletionStage<Void> write(TopicPartition tp, TransactionMarker marker) {
        Topic topic = topics.get(tp.topic());
        if (topic == null || !topic.hasPartition(tp.partition())) {
            // The topic was deleted: there is nothing left to mark.
            return CompletableFuture.completedFuture(null);
        }
        if (leadership.leads(topic, tp.partition())) {
            return writeHere(topic, tp, marker);
        }
        int leader = leadership.leaderOf(topic, tp.partition());
        long id = nextRequest.incrementAndGet();
        CompletableFuture<Void> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        answer.whenComplete((v, e) -> waiting.remove(id));
        String request = id + " " + self + " " + tp.topic() + " " + tp.partition() + " " + marker.producerId() + " "
                + marker.producerEpoch() + " " + (marker.commit() ? "C" : "A") + " " + marker.coordinatorEpoch();
        channels.publish(channels.requests(leader), request).whenComplete((receivers, e) -> {
            if (e != null) {
                answer.completeExceptionally(e);
            } else if (receivers == 0) {
                answer.completeExceptionally(new NotLeaderOrFollowerException("Broker " + leader + ", the leader of " + tp
                        + ", does not listen for transaction markers"));
            }
        });
        return answer.orTimeout(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private CompletionStage<Void> writeHere(Topic topic, TopicPartition tp, TransactionMarker marker) {
        return logs.log(tp).appendMarker(marker, topic.format()).thenApply(r -> null);
    }

    /** A request from another broker's coordinator: writes the marker if this broker leads the partition, and answers. */
    public void onRequest(String message) {
        String[] f = message.split(" ");
        if (f.length != 8) {
            log.warn("Ignoring a malformed transaction marker request '{}'", message);
            return;
        }
        int replyTo = Integer.parseInt(f[1]);
        TopicPartition tp = new TopicPartition(f[2], Integer.parseInt(f[3]));
        TransactionMarker marker = new TransactionMarker(Long.parseLong(f[4]), Short.parseShort(f[5]), f[6].equals("C"),
                Integer.parseInt(f[7]));
        Topic topic = topics.get(tp.topic());
        CompletionStage<Void> done;
        if (topic == null || !topic.hasPartition(tp.partition())) {
            done = CompletableFuture.completedFuture(null);
        } else if (!leadership.leads(topic, tp.partition())) {
            done = CompletableFuture.failedFuture(new NotLeaderOrFollowerException("Broker " + self + " does not lead " + tp));
        } else {
            done = writeHere(topic, tp, marker);
        }
        done.whenComplete((v, e) -> {
            Errors error = e == null ? Errors.NONE : ErrorMapper.toError(e, ApiKeys.WRITE_TXN_MARKERS);
            channels.publish(channels.replies(replyTo), f[0] + " " + error.code()).whenComplete((n, pe) -> {
                if (pe != null) {
                    log.warn("Could not answer the marker request of broker {} for {}: {}", replyTo, tp, pe.getMessage());
                }
            });
        });
    }

    /** An answer to one of this broker's requests. */
    public void onReply(String message) {
        String[] f = message.split(" ");
        if (f.length != 2) {
            return;
        }
        CompletableFuture<Void> answer = waiting.get(Long.parseLong(f[0]));
        if (answer == null) {
            return;
        }
        Errors error = Errors.forCode(Short.parseShort(f[1]));
        if (error == Errors.NONE) {
            answer.complete(null);
        } else {
            answer.completeExceptionally(error.exception("The leader could not write the marker: " + error));
        }
    }
}
