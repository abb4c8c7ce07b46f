package io.korvet.group;

import java.util.List;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a live group between the protocols, as Kafka does under {@code group.consumer.migration.policy}: a classic
 * group of consumers becomes a consumer-protocol group when a consumer-protocol member joins it, its members staying
 * as classic members ({@link ClassicMembership}) with the partitions they have; a consumer-protocol group whose last
 * consumer-protocol member left becomes a classic group of the remaining members again, and rebalances. Both run
 * under the registry's lock, so that a group id has one protocol at a time.
 */
final class GroupMigration {

    private static final Logger log = LoggerFactory.getLogger(GroupMigration.class);

    private final CoordinatedGroups registry;
    private final Function<String, ConsumerGroup> newClassicGroup;

    GroupMigration(CoordinatedGroups registry, Function<String, ConsumerGroup> newClassicGroup) {
        this.registry = registry;
        this.newClassicGroup = newClassicGroup;
    }

    /** Listens for consumer-protocol groups left with classic members only. */
    void watch(ModernGroups groups) {
        groups.onOnlyClassicMembersLeft(this::downgrade);
    }

    /**
     * Under the registry's lock: moves a classic group with members to the consumer protocol for a joining
     * consumer-protocol member. Returns null when done, else why not (the member gets GROUP_ID_NOT_FOUND, as in Kafka).
     */
    String upgrade(String groupId, ConsumerGroup classic) {
        ModernGroups modern = registry.modern();
        if (!modern.settings().migration().upgrades()) {
            return "Group " + groupId + " is a classic group with members, and group.consumer.migration.policy does not"
                    + " allow upgrading it";
        }
        List<Member> members = classic.members();
        if (!GroupConversion.upgradable(classic.protocolType(), members)) {
            return "Group " + groupId + " is a classic group whose members do not use the consumer protocol's subscriptions";
        }
        int generation = classic.generationId();
        members = classic.endHere(Errors.REBALANCE_IN_PROGRESS);
        registry.classic.remove(groupId, classic);
        modern.create(groupId).adopt(generation, GroupConversion.toModern(members, generation, modern.topics(), System.nanoTime()),
                modern.topics());
        log.info("Group {} moves from the classic to the consumer protocol with its {} members at epoch {}", groupId,
                members.size(), generation);
        return null;
    }

    /** Moves a group whose members are all classic back to the classic protocol, when the policy allows it. */
    void downgrade(String groupId, ModernGroup group) {
        synchronized (registry) {
            ModernGroups modern = registry.modern();
            if (!modern.settings().migration().downgrades() || registry.modern(groupId) != group) {
                return;
            }
            List<Member> members;
            int generation = 0;
            synchronized (group) {
                if (!group.onlyClassicMembers()) {
                    return;
                }
                members = GroupConversion.toClassic(group.members().values(), modern.topics());
                for (ModernMember m : group.members().values()) {
                    generation = Math.max(generation, m.memberEpoch);
                }
                group.members().clear();
            }
            modern.removeIfEmpty(groupId);
            ConsumerGroup classic = newClassicGroup.apply(groupId);
            registry.classic.put(groupId, classic);
            classic.adopt(ConsumerProtocol.PROTOCOL_TYPE, generation, members);
            log.info("Group {} moves back from the consumer to the classic protocol with its {} classic members", groupId,
                    members.size());
        }
    }
}
