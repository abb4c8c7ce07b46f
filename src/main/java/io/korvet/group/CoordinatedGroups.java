package io.korvet.group;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups this broker coordinates now: the classic ones by id, the consumer-protocol ones (KIP-848), and which
 * group ids are this broker's (the others are NOT_COORDINATOR here). Shared by the coordinator, the listings and the
 * offset retention.
 */
final class CoordinatedGroups {

    private static final Logger log = LoggerFactory.getLogger(CoordinatedGroups.class);

    final Map<String, ConsumerGroup> classic = new ConcurrentHashMap<>();
    private volatile Predicate<String> coordinates = id -> true;
    /** The consumer-protocol groups; none until {@link #useConsumerProtocol}. */
    private volatile ModernGroups modern;

    /** The share groups (KIP-932); none until {@link #useShareGroups}. */
    private volatile ShareCoordination share;

    void useShareGroups(ShareCoordination share) {
        this.share = share;
    }

    ShareCoordination share() {
        return share;
    }

    void useConsumerProtocol(ModernGroups groups) {
        this.modern = groups;
    }

    ModernGroups modern() {
        return modern;
    }

    /** The consumer-protocol group of that id, or null. */
    ModernGroup modern(String groupId) {
        ModernGroups m = modern;
        return m == null ? null : m.get(groupId);
    }

    /**
     * From now on this broker coordinates the groups {@code coordinates} accepts: the groups it held that another
     * broker coordinates now are dropped (their offsets are in Redis; their members rejoin there).
     */
    void coordinate(Predicate<String> coordinates) {
        this.coordinates = coordinates;
        ModernGroups m = modern;
        if (m != null) {
            m.retain(coordinates);
        }
        ShareCoordination sc = share;
        if (sc != null) {
            sc.groups().retain(coordinates);
        }
        int moved = 0;
        for (Map.Entry<String, ConsumerGroup> e : classic.entrySet()) {
            if (!coordinates.test(e.getKey()) && classic.remove(e.getKey(), e.getValue())) {
                e.getValue().endHere(org.apache.kafka.common.protocol.Errors.NOT_COORDINATOR);
                moved++;
            }
        }
        if (moved > 0) {
            log.info("{} groups moved to other coordinators", moved);
        }
    }

    boolean elsewhere(String groupId) {
        return groupId != null && !groupId.isEmpty() && !coordinates.test(groupId);
    }

    /** The topics the group's members subscribe to (empty for a group without members or not of consumers). */
    Set<String> subscribedTopics(String groupId) {
        ModernGroup modernGroup = modern(groupId);
        if (modernGroup != null) {
            return modernGroup.subscribedTopicNames(modern.topics());
        }
        ConsumerGroup group = classic.get(groupId);
        Set<String> topics = new HashSet<>();
        if (group == null || group.isEmptyOrDead() || !ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType())) {
            return topics;
        }
        for (byte[] metadata : group.memberMetadata()) {
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics());
            } catch (RuntimeException e) {
                log.debug("Unreadable subscription in group {}: {}", groupId, e.getMessage());
            }
        }
        return topics;
    }

}
