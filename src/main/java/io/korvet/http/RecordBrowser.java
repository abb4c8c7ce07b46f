package io.korvet.http;

import io.korvet.log.FollowerReads;
import io.korvet.storage.StoredBatches;
import io.korvet.storage.StoredRecord;
import io.korvet.storage.StreamFormat;
import io.korvet.topic.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Utils;

/**
 * {@code GET /api/v1/topics/{name}/partitions/{p}/records?offset=&limit=}: the records of a partition from an offset
 * on (without one, the latest {@code limit}), below the high watermark and at or above the log start offset, as a
 * consumer would get them: control batches left out, the records of a stored batch before the offset skipped. Reads
 * the stream as a follower does, so any broker answers for any partition and no leader state is touched.
 */
final class RecordBrowser {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 500;
    /** Batches read per Redis call, and calls per answer at most (control batches may take a few). */
    private static final int BATCHES_PER_READ = 8;
    private static final int MAX_READS = 64;

    private final TopicsApi topics;
    private final PartitionFacts facts;
    private final FollowerReads reads;
    private final HttpAccess access;

    RecordBrowser(TopicsApi topics, PartitionFacts facts, FollowerReads reads, HttpAccess access) {
        this.topics = topics;
        this.facts = facts;
        this.reads = reads;
        this.access = access;
    }

    CompletionStage<HttpAnswer> browse(HttpCall call, String name, String partitionText) {
        Topic topic = topics.visible(call, name);
        if (topic == null) {
            return done(HttpAnswer.notFound("no topic " + name));
        }
        int partition;
        int limit;
        Long wanted;
        try {
            partition = Integer.parseInt(partitionText);
            limit = call.param("limit") == null ? DEFAULT_LIMIT : Integer.parseInt(call.param("limit"));
            wanted = call.param("offset") == null || call.param("offset").isEmpty() ? null : Long.parseLong(call.param("offset"));
        } catch (NumberFormatException e) {
            return done(HttpAnswer.badRequest("partition, offset and limit are whole numbers"));
        }
        if (!topic.hasPartition(partition)) {
            return done(HttpAnswer.notFound("topic " + name + " has no partition " + partition));
        }
        if (limit < 1 || limit > MAX_LIMIT || (wanted != null && wanted < 0)) {
            return done(HttpAnswer.badRequest("limit is 1 to " + MAX_LIMIT + " and offset is 0 or more"));
        }
        if (!access.may(call, AclOperation.READ, ResourceType.TOPIC, name)) {
            return done(HttpAnswer.error(io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN,
                    "not authorized to read topic " + name));
        }
        TopicPartition tp = new TopicPartition(name, partition);
        return facts.offsets(tp).thenCompose(o -> {
            long start = o[0];
            long hw = o[1];
            long from = Math.max(start, wanted == null ? hw - limit : wanted);
            List<StoredRecord> out = new ArrayList<>();
            CompletionStage<Void> read = topic.format() == StreamFormat.BATCH
                    ? readBatches(tp, from, hw, limit, out, MAX_READS)
                    : readRecords(tp, from, hw, limit, out);
            return read.thenApply(v -> answer(tp, start, hw, out));
        });
    }

    private CompletionStage<Void> readRecords(TopicPartition tp, long from, long hw, int limit, List<StoredRecord> out) {
        if (from >= hw) {
            return done(null);
        }
        // Transaction markers are entries too: never shown as records.
        return reads.read(tp, from, limit, hw).thenAccept(list -> list.stream()
                .filter(r -> r.batch() == null || !r.batch().control()).forEach(out::add));
    }

    /** Reads stored batches from {@code from} on and takes their records until {@code limit} or the high watermark. */
    private CompletionStage<Void> readBatches(TopicPartition tp, long from, long hw, int limit, List<StoredRecord> out, int readsLeft) {
        if (from >= hw || out.size() >= limit || readsLeft == 0) {
            return done(null);
        }
        return reads.readBatches(tp, from, BATCHES_PER_READ, hw).thenCompose(batches -> {
            if (batches.isEmpty()) {
                return done(null);
            }
            take(batches, from, hw, limit, out);
            return readBatches(tp, batches.lastOffset(batches.count() - 1) + 1, hw, limit, out, readsLeft - 1);
        });
    }

    static void take(StoredBatches batches, long from, long hw, int limit, List<StoredRecord> out) {
        for (RecordBatch batch : MemoryRecords.readableRecords(batches.buffer()).batches()) {
            if (batch.isControlBatch()) {
                continue;
            }
            for (Record r : batch) {
                if (r.offset() < from) {
                    continue;
                }
                if (r.offset() >= hw || out.size() >= limit) {
                    return;
                }
                out.add(new StoredRecord(r.offset(), r.timestamp(), Utils.toNullableArray(r.key()), Utils.toNullableArray(r.value()),
                        r.headers(), null));
            }
        }
    }

    private static HttpAnswer answer(TopicPartition tp, long start, long hw, List<StoredRecord> records) {
        JsonWriter json = new JsonWriter().beginObject().field("topic", tp.topic()).field("partition", tp.partition())
                .field("logStartOffset", start).field("highWatermark", hw).name("records").beginArray();
        for (StoredRecord r : records) {
            json.beginObject().field("offset", r.offset()).field("timestamp", r.timestamp()).bytesField("key", r.key())
                    .bytesField("value", r.value()).name("headers").beginArray();
            for (Header h : r.headers() == null ? new Header[0] : r.headers()) {
                json.beginObject().field("key", h.key()).bytesField("value", h.value()).endObject();
            }
            json.endArray().endObject();
        }
        return HttpAnswer.ok(json.endArray().endObject().toString());
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
