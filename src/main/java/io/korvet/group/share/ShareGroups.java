package io.korvet.group.share;

import io.korvet.group.GroupConfigs;
import io.korvet.cluster.Periodic;
import io.korvet.group.TopicLookup;
import io.netty.util.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share groups this broker coordinates (KIP-932): checks each ShareGroupHeartbeat as Kafka's coordinator does,
 * hands it to its group, and sweeps the members whose session timed out. Members live here (they rejoin after a
 * restart); which share groups exist and their share partitions' state live in Redis.
 */
public final class ShareGroups implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShareGroups.class);

    public static final String TYPE = ShareGroup.TYPE;

    private final GroupConfigs.Settings settings;
    private final TopicLookup topics;
    private final Map<String, ShareGroup> groups = new ConcurrentHashMap<>();
    private final Periodic sweeper;
    /** Told of each member that left or timed out (group id, member id), to release what it holds. */
    private volatile BiConsumer<String, String> onMemberGone = (g, m) -> { };

    public ShareGroups(GroupConfigs.Settings settings, TopicLookup topics, Timer timer) {
        this.settings = settings;
        this.topics = topics;
        this.sweeper = Periodic.every(timer, 1000, "Sweeping share group members", this::sweep);
    }

    private void sweep() {
        long timeout = TimeUnit.MILLISECONDS.toNanos(settings.sessionTimeoutMs());
        long now = System.nanoTime();
        groups.forEach((id, g) -> g.expire(now, timeout, topics).forEach(member -> {
            log.info("Member {} of share group {} timed out", member, id);
            onMemberGone.accept(id, member);
        }));
    }

    public void onMemberGone(BiConsumer<String, String> listener) {
        this.onMemberGone = listener;
    }

    /** Whether this broker has a share group of that id with members. */
    public boolean hasMembers(String groupId) {
        ShareGroup g = groupId == null ? null : groups.get(groupId);
        return g != null && !g.isEmpty();
    }

    /** Whether this broker knows a share group of that id (with or without members). */
    public boolean knows(String groupId) {
        return groupId != null && groups.containsKey(groupId);
    }

    /** The group's state (Empty or Stable), or null when this broker knows no share group of that id. */
    public String state(String groupId) {
        ShareGroup g = groupId == null ? null : groups.get(groupId);
        return g == null ? null : g.state();
    }

    /** The state of each share group known here: Empty or Stable. */
    public Map<String, String> states() {
        Map<String, String> out = new java.util.TreeMap<>();
        groups.forEach((id, g) -> out.put(id, g.state()));
        return out;
    }

    /** The topics the group's members subscribe to. */
    public Set<String> subscribedTopics(String groupId) {
        ShareGroup g = groups.get(groupId);
        return g == null ? Set.of() : g.subscribedTopicNames();
    }

    /** Forgets an empty group; false when it has members. */
    public boolean removeIfEmpty(String groupId) {
        ShareGroup g = groups.get(groupId);
        return g == null || g.isEmpty() && groups.remove(groupId, g);
    }

    /** Forgets the groups another broker coordinates now. */
    public void retain(java.util.function.Predicate<String> coordinated) {
        groups.keySet().removeIf(id -> !coordinated.test(id));
    }

    public ShareGroupHeartbeatResponseData heartbeat(ShareGroupHeartbeatRequestData req, String clientId, String host) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return error(Errors.INVALID_REQUEST, "GroupId can't be empty.");
        }
        if (req.memberId() == null || req.memberId().isEmpty()) {
            return error(Errors.INVALID_REQUEST, "MemberId can't be empty.");
        }
        if (req.rackId() != null && req.rackId().isEmpty()) {
            return error(Errors.INVALID_REQUEST, "RackId can't be empty.");
        }
        if (req.memberEpoch() == 0 && (req.subscribedTopicNames() == null || req.subscribedTopicNames().isEmpty())) {
            return error(Errors.INVALID_REQUEST, "SubscribedTopicNames must be set in first request.");
        }
        if (req.memberEpoch() < -1) {
            return error(Errors.INVALID_REQUEST, "MemberEpoch is invalid.");
        }
        ShareGroup group = req.memberEpoch() == 0 ? groups.computeIfAbsent(req.groupId(), ShareGroup::new) : groups.get(req.groupId());
        if (group == null) {
            return req.memberEpoch() < 0 ? new ShareGroupHeartbeatResponseData().setMemberId(req.memberId()).setMemberEpoch(-1)
                    : error(Errors.UNKNOWN_MEMBER_ID, "Group " + req.groupId() + " has no member " + req.memberId() + ".");
        }
        try {
            ShareGroupHeartbeatResponseData out = group.heartbeat(req, clientId, host, topics, settings.heartbeatIntervalMs(), System.nanoTime());
            if (req.memberEpoch() == -1) {
                onMemberGone.accept(req.groupId(), req.memberId());
            }
            return out;
        } catch (ShareGroup.Refused e) {
            return error(e.error, e.getMessage());
        }
    }

    private static ShareGroupHeartbeatResponseData error(Errors error, String message) {
        return new ShareGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    /** The group as ShareGroupDescribe describes it, or null when this broker has none of that id. */
    public DescribedGroup describe(String groupId) {
        ShareGroup g = groups.get(groupId);
        return g == null ? null : g.describe(topics);
    }

    public TopicLookup topics() {
        return topics;
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.close();
        }
    }
}
