package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.ErrorMapper;
import io.korvet.dispatch.RequestContext;
import io.korvet.group.GroupCoordinator;
import io.korvet.storage.GroupStore.CommittedOffset;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/**
 * OffsetFetch: the committed offsets of one group (v0-7) or of several (v8+), for the partitions asked or
 * for all (a null topic list); a partition without a committed offset answers offset -1.
 */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequest> {

    private final GroupCoordinator coordinator;
    private final TopicManager topics;
    private final io.korvet.storage.TransactionStore transactions;

    /** @param transactions where offsets of open transactions are held (require_stable, KIP-447) */
    public OffsetFetchHandler(GroupCoordinator coordinator, TopicManager topics, io.korvet.storage.TransactionStore transactions) {
        this.coordinator = coordinator;
        this.topics = topics;
        this.transactions = transactions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 10;
    }

    /** One partition's answer, version-neutral. */
    private record Answer(String topic, Uuid topicId, int partition, CommittedOffset offset, Errors error) {
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, OffsetFetchRequest request) {
        short version = context.apiVersion();
        var d = request.data();
        if (version < 8) {
            List<OffsetFetchRequestTopics> asked = null;
            if (d.topics() != null) {
                asked = new ArrayList<>();
                for (OffsetFetchRequestTopic t : d.topics()) {
                    asked.add(new OffsetFetchRequestTopics().setName(t.name()).setPartitionIndexes(t.partitionIndexes()));
                }
            }
            return fetch(context, d.groupId(), asked, false, version >= 7 && d.requireStable()).handle((answers, failure) -> {
                OffsetFetchResponseData out = new OffsetFetchResponseData();
                if (failure != null) {
                    return out.setErrorCode(ErrorMapper.toError(failure, ApiKeys.OFFSET_FETCH).code());
                }
                Map<String, OffsetFetchResponseTopic> byTopic = new TreeMap<>();
                for (Answer a : answers) {
                    byTopic.computeIfAbsent(a.topic, n -> new OffsetFetchResponseTopic().setName(n)).partitions()
                            .add(new OffsetFetchResponsePartition()
                                    .setPartitionIndex(a.partition)
                                    .setCommittedOffset(a.offset == null ? -1 : a.offset.offset())
                                    .setCommittedLeaderEpoch(a.offset == null || version < 5 ? -1 : a.offset.leaderEpoch())
                                    .setMetadata(a.offset == null ? "" : a.offset.metadata())
                                    .setErrorCode(a.error.code()));
                }
                out.topics().addAll(byTopic.values());
                return out.setErrorCode(Errors.NONE.code());
            });
        }
        boolean byId = version >= 10;
        List<CompletableFuture<OffsetFetchResponseGroup>> groups = new ArrayList<>();
        for (OffsetFetchRequestGroup g : d.groups()) {
            // v9+: a consumer-protocol member names itself and its epoch, which must be current.
            // (After the group's ACL: an unauthorized caller learns nothing of the group's members.)
            Errors member = !context.permits(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId() == null ? "" : g.groupId())
                    ? Errors.NONE : coordinator.validateOffsetFetch(g.groupId(), g.memberId(), g.memberEpoch());
            if (member != Errors.NONE) {
                groups.add(CompletableFuture.completedFuture(new OffsetFetchResponseGroup().setGroupId(g.groupId())
                        .setErrorCode(member.code())));
                continue;
            }
            groups.add(fetch(context, g.groupId(), g.topics(), byId, d.requireStable()).handle((answers, failure) -> {
                OffsetFetchResponseGroup out = new OffsetFetchResponseGroup().setGroupId(g.groupId());
                if (failure != null) {
                    return out.setErrorCode(ErrorMapper.toError(failure, ApiKeys.OFFSET_FETCH).code());
                }
                Map<String, OffsetFetchResponseTopics> byTopic = new TreeMap<>();
                for (Answer a : answers) {
                    byTopic.computeIfAbsent(a.topic, n -> new OffsetFetchResponseTopics()
                                    .setName(byId ? "" : n).setTopicId(byId ? a.topicId : Uuid.ZERO_UUID)).partitions()
                            .add(new OffsetFetchResponsePartitions()
                                    .setPartitionIndex(a.partition)
                                    .setCommittedOffset(a.offset == null ? -1 : a.offset.offset())
                                    .setCommittedLeaderEpoch(a.offset == null ? -1 : a.offset.leaderEpoch())
                                    .setMetadata(a.offset == null ? "" : a.offset.metadata())
                                    .setErrorCode(a.error.code()));
                }
                out.topics().addAll(byTopic.values());
                return out.setErrorCode(Errors.NONE.code());
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(groups.toArray(new CompletableFuture[0])).thenApply(v -> {
            OffsetFetchResponseData out = new OffsetFetchResponseData();
            groups.forEach(g -> out.groups().add(g.join()));
            return out;
        });
    }

    /**
     * The committed offsets asked for; with {@code requireStable} (KIP-447), UNSTABLE_OFFSET_COMMIT for a partition
     * whose offset an open transaction is about to commit (the consumer asks again).
     */
    private CompletionStage<List<Answer>> fetch(RequestContext context, String groupId, List<OffsetFetchRequestTopics> asked,
                                                boolean byId, boolean requireStable) {
        CompletionStage<List<Answer>> answers = fetch(context, groupId, asked, byId);
        if (!requireStable) {
            return answers;
        }
        return answers.thenCompose(list -> transactions.pendingOffsets(groupId).thenApply(pending -> {
            if (pending.isEmpty()) {
                return list;
            }
            List<Answer> out = new ArrayList<>(list.size());
            for (Answer a : list) {
                boolean unstable = a.error == Errors.NONE && pending.contains(new TopicPartition(a.topic, a.partition));
                out.add(unstable ? new Answer(a.topic, a.topicId, a.partition, null, Errors.UNSTABLE_OFFSET_COMMIT) : a);
            }
            return out;
        }));
    }

    private CompletionStage<List<Answer>> fetch(RequestContext context, String groupId, List<OffsetFetchRequestTopics> asked,
                                                boolean byId) {
        if (!context.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, groupId == null ? "" : groupId)) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.GroupAuthorizationException(groupId));
        }
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.InvalidGroupIdException("The group id is empty"));
        }
        return coordinator.committed(groupId).thenApply(committed -> {
            List<Answer> answers = new ArrayList<>();
            if (asked == null) {
                byName(committed).forEach((key, o) -> {
                    Topic topic = topics.get(key.topic());
                    // As Kafka does, all of a group's offsets means those of the topics the caller may describe.
                    if ((topic != null || !byId) && context.permits(AclOperation.DESCRIBE, ResourceType.TOPIC, key.topic())) {
                        answers.add(new Answer(key.topic(), topic == null ? Uuid.ZERO_UUID : topic.id(), key.partition(), o, Errors.NONE));
                    }
                });
                return answers;
            }
            for (OffsetFetchRequestTopics t : asked) {
                Topic topic = byId ? topics.get(t.topicId()) : topics.get(t.name());
                String name = topic != null ? topic.name() : t.name();
                for (int p : t.partitionIndexes()) {
                    if (byId && topic == null) {
                        answers.add(new Answer(String.valueOf(t.topicId()), t.topicId(), p, null, Errors.UNKNOWN_TOPIC_ID));
                    } else if (!context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
                        answers.add(new Answer(name, topic == null ? Uuid.ZERO_UUID : topic.id(), p, null,
                                Errors.TOPIC_AUTHORIZATION_FAILED));
                    } else {
                        answers.add(new Answer(name, topic == null ? Uuid.ZERO_UUID : topic.id(), p,
                                committed.get(new TopicPartition(name, p)), Errors.NONE));
                    }
                }
            }
            return answers;
        });
    }

    private static Map<TopicPartition, CommittedOffset> byName(Map<TopicPartition, CommittedOffset> committed) {
        Map<TopicPartition, CommittedOffset> sorted = new TreeMap<>((a, b) -> {
            int c = a.topic().compareTo(b.topic());
            return c != 0 ? c : Integer.compare(a.partition(), b.partition());
        });
        sorted.putAll(committed);
        return sorted;
    }
}
