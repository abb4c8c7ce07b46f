package io.korvet.http;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.group.GroupCoordinator;
import io.korvet.storage.GroupStore;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * {@code GET /api/v1/groups} and {@code GET /api/v1/groups/{id}}: every consumer group of the cluster the caller may
 * describe, with its lag (high watermark minus committed offset, per partition and in total, from the offsets in
 * Redis, so any broker answers it). State and members are known to the group's coordinator only: a group another
 * broker coordinates is shown with a null state and its coordinator's id.
 */
final class GroupsApi {

    /** One partition's committed offset and lag. */
    record PartitionLag(TopicPartition partition, long committed, long highWatermark) {
        long lag() {
            return Math.max(0, highWatermark - committed);
        }
    }

    private final GroupCoordinator groups;
    private final GroupStore store;
    private final TopicManager topics;
    private final PartitionLeadership leadership;
    private final PartitionFacts facts;
    private final HttpAccess access;

    GroupsApi(GroupCoordinator groups, GroupStore store, TopicManager topics, PartitionLeadership leadership, PartitionFacts facts,
              HttpAccess access) {
        this.groups = groups;
        this.store = store;
        this.topics = topics;
        this.leadership = leadership;
        this.facts = facts;
        this.access = access;
    }

    /** Every group id, stored or live here, sorted. */
    private CompletionStage<List<String>> ids() {
        return store.listGroups().thenCombine(groups.list(List.of(), List.of()), (stored, live) -> {
            TreeSet<String> all = new TreeSet<>(stored.keySet());
            live.stream().map(ListedGroup::groupId).forEach(all::add);
            return new ArrayList<>(all);
        });
    }

    CompletionStage<HttpAnswer> list(HttpCall call) {
        return ids().thenCompose(all -> {
            List<String> visible = all.stream().filter(id -> access.may(call, AclOperation.DESCRIBE, ResourceType.GROUP, id)).toList();
            return groups.describeAny(visible).thenCompose(described -> {
                List<CompletableFuture<List<PartitionLag>>> lags = new ArrayList<>();
                visible.forEach(id -> lags.add(lag(id).toCompletableFuture()));
                return CompletableFuture.allOf(lags.toArray(new CompletableFuture[0])).thenApply(v -> {
                    JsonWriter json = new JsonWriter().beginArray();
                    for (int i = 0; i < visible.size(); i++) {
                        json.beginObject();
                        summary(call, json, visible.get(i), described.get(i), seen(call, lags.get(i).join()), false);
                        json.endObject();
                    }
                    return HttpAnswer.ok(json.endArray().toString());
                });
            });
        });
    }

    CompletionStage<HttpAnswer> describe(HttpCall call, String id) {
        if (!access.may(call, AclOperation.DESCRIBE, ResourceType.GROUP, id)) {
            return CompletableFuture.completedFuture(HttpAnswer.notFound("no group " + id));
        }
        return ids().thenCompose(all -> {
            if (!all.contains(id)) {
                return CompletableFuture.completedFuture(HttpAnswer.notFound("no group " + id));
            }
            return groups.describeAny(List.of(id)).thenCombine(lag(id), (described, committed) -> {
                DescribedGroup g = described.get(0);
                List<PartitionLag> lags = seen(call, committed);
                JsonWriter json = new JsonWriter().beginObject();
                summary(call, json, id, g, lags, true);
                json.name("offsets").beginArray();
                for (PartitionLag l : lags) {
                    json.beginObject().field("topic", l.partition().topic()).field("partition", l.partition().partition())
                            .field("committedOffset", l.committed()).field("highWatermark", l.highWatermark())
                            .field("lag", l.lag()).endObject();
                }
                return HttpAnswer.ok(json.endArray().endObject().toString());
            });
        });
    }

    /** The lag of each partition the group has committed, of topics that still exist, in topic and partition order. */
    CompletionStage<List<PartitionLag>> lag(String id) {
        return store.fetchOffsets(id).thenCompose(committed -> {
            Map<TopicPartition, GroupStore.CommittedOffset> sorted = new TreeMap<>(
                    java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            committed.forEach((tp, o) -> {
                Topic t = topics.get(tp.topic());
                if (t != null && t.hasPartition(tp.partition())) {
                    sorted.put(tp, o);
                }
            });
            List<TopicPartition> partitions = new ArrayList<>(sorted.keySet());
            return facts.of(partitions, false).thenApply(all -> {
                List<PartitionLag> out = new ArrayList<>();
                for (PartitionFacts.Facts f : all) {
                    out.add(new PartitionLag(f.partition(), sorted.get(f.partition()).offset(), f.highWatermark()));
                }
                return out;
            });
        });
    }

    /** The partitions of topics the caller may describe: a group's offsets do not show what the topics' ACLs hide. */
    private List<PartitionLag> seen(HttpCall call, List<PartitionLag> lags) {
        return lags.stream().filter(l -> topicVisible(call, l.partition().topic())).toList();
    }

    private boolean topicVisible(HttpCall call, String topic) {
        return access.may(call, AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
    }

    static long total(List<PartitionLag> lags) {
        return lags.stream().mapToLong(PartitionLag::lag).sum();
    }

    /** Whether this broker coordinates the group and so knows its state and members. */
    private static boolean known(DescribedGroup g) {
        return g.errorCode() == Errors.NONE.code();
    }

    /** The group's fields; its members as a count, or with {@code detail} as objects with their assignments. */
    private void summary(HttpCall call, JsonWriter json, String id, DescribedGroup g, List<PartitionLag> lags, boolean detail) {
        boolean known = known(g);
        json.field("group", id).field("state", known ? g.groupState() : null)
                .field("protocolType", known ? g.protocolType() : null)
                .field("coordinator", leadership.view().coordinatorOf(id)).name("members");
        if (known && detail) {
            json.beginArray();
            g.members().forEach(m -> member(json, g.protocolType(), m, topic -> topicVisible(call, topic)));
            json.endArray();
        } else if (known) {
            json.value(g.members().size());
        } else {
            json.nullValue();
        }
        json.field("lag", total(lags));
    }

    private static void member(JsonWriter json, String protocolType, DescribedGroupMember m,
                               java.util.function.Predicate<String> topicVisible) {
        json.beginObject().field("memberId", m.memberId()).field("groupInstanceId", m.groupInstanceId())
                .field("clientId", m.clientId()).field("host", m.clientHost()).name("assignments").beginArray();
        if (ConsumerProtocol.PROTOCOL_TYPE.equals(protocolType) && m.memberAssignment() != null && m.memberAssignment().length > 0) {
            try {
                for (TopicPartition tp : ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(m.memberAssignment())).partitions()) {
                    if (!topicVisible.test(tp.topic())) {
                        continue;
                    }
                    json.beginObject().field("topic", tp.topic()).field("partition", tp.partition()).endObject();
                }
            } catch (RuntimeException e) {
                // An assignment that is not the consumer protocol's: shown without partitions.
            }
        }
        json.endArray().endObject();
    }
}
