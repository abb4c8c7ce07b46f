package io.korvet.http;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.topic.ConfigView;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicConfigViews;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * {@code GET /api/v1/topics} and {@code GET /api/v1/topics/{name}}: the topics the caller may describe, with their
 * records (high watermark minus log start offset, summed) and the memory their streams take in Redis.
 */
final class TopicsApi {

    private final TopicManager topics;
    private final PartitionLeadership leadership;
    private final PartitionFacts facts;
    private final HttpAccess access;
    private final TrafficHistory history;

    TopicsApi(TopicManager topics, PartitionLeadership leadership, PartitionFacts facts, HttpAccess access,
              TrafficHistory history) {
        this.topics = topics;
        this.leadership = leadership;
        this.facts = facts;
        this.access = access;
        this.history = history;
    }

    /** A registered topic the caller may describe, or null. */
    Topic visible(HttpCall call, String name) {
        Topic topic = topics.get(name);
        if (topic == null || topic.record().deleting() || !access.may(call, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
            return null;
        }
        return topic;
    }

    CompletionStage<HttpAnswer> list(HttpCall call) {
        List<Topic> listed = new ArrayList<>();
        for (Topic t : topics.all()) {
            if (visible(call, t.name()) != null) {
                listed.add(t);
            }
        }
        listed.sort(Comparator.comparing(Topic::name));
        List<TopicPartition> partitions = new ArrayList<>();
        listed.forEach(t -> partitions.addAll(partitionsOf(t)));
        return facts.of(partitions, true).thenApply(all -> {
            JsonWriter json = new JsonWriter().beginArray();
            int i = 0;
            for (Topic t : listed) {
                long records = 0;
                long bytes = 0;
                for (int p = 0; p < t.partitions(); p++, i++) {
                    records += all.get(i).records();
                    bytes += all.get(i).bytes();
                }
                json.beginObject().field("name", t.name()).field("partitions", t.partitions()).field("records", records)
                        .field("bytes", bytes).field("format", t.format().configValue())
                        .name("producedPerSecond").value(history.latestProducedRate(t.name())).endObject();
            }
            return HttpAnswer.ok(json.endArray().toString());
        });
    }

    CompletionStage<HttpAnswer> describe(HttpCall call, String name) {
        Topic topic = visible(call, name);
        if (topic == null) {
            return CompletableFuture.completedFuture(HttpAnswer.notFound("no topic " + name));
        }
        return facts.of(partitionsOf(topic), true).thenApply(all -> {
            long records = all.stream().mapToLong(PartitionFacts.Facts::records).sum();
            long bytes = all.stream().mapToLong(PartitionFacts.Facts::bytes).sum();
            JsonWriter json = new JsonWriter().beginObject().field("name", topic.name()).field("id", topic.id().toString())
                    .field("format", topic.format().configValue()).field("records", records).field("bytes", bytes)
                    .name("partitions").beginArray();
            for (PartitionFacts.Facts f : all) {
                int p = f.partition().partition();
                json.beginObject().field("partition", p).field("leader", leadership.leaderOf(topic, p))
                        .field("logStartOffset", f.logStartOffset()).field("highWatermark", f.highWatermark())
                        .field("records", f.records()).field("bytes", f.bytes()).endObject();
            }
            json.endArray().name("configs").beginObject();
            // Configs need DESCRIBE_CONFIGS, as DescribeConfigs does: without it the object is empty.
            if (access.may(call, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, topic.name())) {
                for (ConfigView c : TopicConfigViews.describe(topic.record(), topics.brokerConfigs(), null, false)) {
                    json.field(c.name(), c.value());
                }
            }
            return HttpAnswer.ok(json.endObject().endObject().toString());
        });
    }

    static List<TopicPartition> partitionsOf(Topic topic) {
        List<TopicPartition> out = new ArrayList<>(topic.partitions());
        for (int p = 0; p < topic.partitions(); p++) {
            out.add(new TopicPartition(topic.name(), p));
        }
        return out;
    }
}
