package io.korvet.group;

import io.korvet.storage.GroupStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the group APIs list and describe: ListGroups (classic and consumer-protocol groups, with their types),
 * DescribeGroups (classic groups), ConsumerGroupDescribe (consumer-protocol groups), and every group in the classic
 * shape for the broker's own views.
 */
final class GroupListings {

    private final GroupStore store;
    private final CoordinatedGroups registry;

    GroupListings(GroupStore store, CoordinatedGroups registry) {
        this.store = store;
        this.registry = registry;
    }

    /** ConsumerGroupDescribe: consumer-protocol groups; a classic or unknown group is GROUP_ID_NOT_FOUND. */
    CompletionStage<List<org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup>> consumerDescribe(
            List<String> groupIds) {
        return store.listGroups().thenApply(stored -> {
            List<org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup> out = new ArrayList<>();
            for (String id : groupIds) {
                var described = id == null || registry.elsewhere(id) || registry.modern() == null ? null : registry.modern().describe(id);
                if (described != null) {
                    out.add(described);
                    continue;
                }
                // A classic group, or one without live members here (its offsets are in Redis): Kafka's Admin client
                // then asks DescribeGroups, which describes it.
                Errors error = registry.elsewhere(id) ? Errors.NOT_COORDINATOR : Errors.GROUP_ID_NOT_FOUND;
                String message = error == Errors.NOT_COORDINATOR ? "This broker does not coordinate group " + id
                        : registry.classic.containsKey(id) || stored.containsKey(id) ? "Group " + id + " is not a consumer group."
                        : "Group " + id + " not found.";
                out.add(new org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(id)
                        .setErrorCode(error.code()).setErrorMessage(message).setGroupState("").setAssignorName(""));
            }
            return out;
        });
    }

    CompletionStage<List<DescribedGroup>> describe(List<String> groupIds, boolean notFoundIsError) {
        return store.listGroups().thenApply(stored -> {
            List<DescribedGroup> out = new ArrayList<>();
            for (String id : groupIds) {
                ConsumerGroup group = registry.classic.get(id);
                ModernGroup modernGroup = registry.modern(id);
                boolean share = io.korvet.group.share.ShareGroups.TYPE.equals(stored.get(id))
                        || registry.share() != null && registry.share().groups().knows(id);
                if (modernGroup != null && !modernGroup.isEmpty() || share) {
                    // Not a classic group: Kafka's Admin client describes it with ConsumerGroupDescribe or ShareGroupDescribe.
                    DescribedGroup other = new DescribedGroup().setGroupId(id).setGroupState(GroupState.DEAD.kafkaName())
                            .setProtocolType("").setProtocolData("").setErrorCode(Errors.NONE.code());
                    if (notFoundIsError) {
                        other.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " is not a classic group.");
                    } else if (share && (modernGroup == null || modernGroup.isEmpty())) {
                        // The broker's own views (admin API, console): a share group's state, its members not listed.
                        String state = registry.share() == null ? null : registry.share().groups().state(id);
                        other.setGroupState(state == null ? GroupState.EMPTY.kafkaName() : state)
                                .setProtocolType(io.korvet.group.share.ShareGroups.TYPE);
                    }
                    out.add(other);
                } else if (id == null || id.isEmpty() || registry.elsewhere(id)) {
                    Errors error = registry.elsewhere(id) ? Errors.NOT_COORDINATOR : Errors.INVALID_GROUP_ID;
                    out.add(new DescribedGroup().setGroupId(id).setErrorCode(error.code())
                            .setGroupState(GroupState.DEAD.kafkaName()).setProtocolType("").setProtocolData(""));
                } else if (group != null && group.state() != GroupState.DEAD) {
                    out.add(group.describe());
                } else if (stored.containsKey(id)) {
                    out.add(new DescribedGroup().setGroupId(id).setErrorCode(Errors.NONE.code())
                            .setGroupState(GroupState.EMPTY.kafkaName()).setProtocolType(stored.get(id)).setProtocolData(""));
                } else {
                    DescribedGroup dead = new DescribedGroup().setGroupId(id).setGroupState(GroupState.DEAD.kafkaName())
                            .setProtocolType("").setProtocolData("").setErrorCode(Errors.NONE.code());
                    if (notFoundIsError) {
                        dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " not found.");
                    }
                    out.add(dead);
                }
            }
            return out;
        });
    }

    /**
     * Every group as DescribeGroups describes a classic one, consumer-protocol groups included (their members'
     * assignments encoded as the classic consumer protocol does): for the broker's own views, the admin API and the
     * metrics.
     */
    CompletionStage<List<DescribedGroup>> describeAny(List<String> groupIds) {
        List<String> classic = new ArrayList<>();
        for (String id : groupIds) {
            ModernGroup m = registry.modern(id);
            if (m == null || m.isEmpty()) {
                classic.add(id);
            }
        }
        return describe(classic, false).thenApply(described -> {
            Map<String, DescribedGroup> byId = new java.util.HashMap<>();
            described.forEach(d -> byId.put(d.groupId(), d));
            List<DescribedGroup> out = new ArrayList<>();
            for (String id : groupIds) {
                ModernGroup m = registry.modern(id);
                out.add(m == null || m.isEmpty() ? byId.get(id) : m.describeAsClassic(id, registry.modern().topics()));
            }
            return out;
        });
    }

    CompletionStage<List<ListedGroup>> list(List<String> statesFilter, List<String> typesFilter) {
        Set<String> states = new HashSet<>();
        statesFilter.forEach(s -> states.add(s.toLowerCase(Locale.ROOT)));
        Set<String> types = new HashSet<>();
        typesFilter.forEach(t -> types.add(t.toLowerCase(Locale.ROOT)));
        Predicate<String> stateOk = s -> states.isEmpty() || states.contains(s.toLowerCase(Locale.ROOT));
        boolean typeOk = types.isEmpty() || types.contains(GroupCoordinator.CLASSIC);
        boolean consumerTypeOk = types.isEmpty() || types.contains(ModernGroup.TYPE);
        boolean shareTypeOk = types.isEmpty() || types.contains(io.korvet.group.share.ShareGroups.TYPE);
        ShareCoordination share = registry.share();
        return store.listGroups().thenApply(stored -> {
            Map<String, ListedGroup> out = new TreeMap<>();
            ModernGroups m = registry.modern();
            if (m != null) {
                m.all().forEach((id, g) -> {
                    String state = g.state();
                    if (consumerTypeOk && stateOk.test(state) && !registry.elsewhere(id)) {
                        out.put(id, new ListedGroup().setGroupId(id).setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
                                .setGroupState(state).setGroupType(ModernGroup.TYPE));
                    }
                });
            }
            if (share != null && shareTypeOk) {
                Map<String, String> live = share.groups().states();
                stored.forEach((id, type) -> {
                    if (io.korvet.group.share.ShareGroups.TYPE.equals(type)) {
                        live.putIfAbsent(id, GroupState.EMPTY.kafkaName());
                    }
                });
                live.forEach((id, state) -> {
                    if (stateOk.test(state) && !registry.elsewhere(id)) {
                        out.put(id, new ListedGroup().setGroupId(id).setProtocolType(io.korvet.group.share.ShareGroups.TYPE)
                                .setGroupState(state).setGroupType(io.korvet.group.share.ShareGroups.TYPE));
                    }
                });
            }
            if (!typeOk) {
                return new ArrayList<>(out.values());
            }
            stored.forEach((id, type) -> {
                if (io.korvet.group.share.ShareGroups.TYPE.equals(type)) {
                    return;
                }
                // Each broker lists the groups it coordinates; Kafka's Admin client asks every broker.
                if (!registry.elsewhere(id) && !out.containsKey(id) && stateOk.test(GroupState.EMPTY.kafkaName())) {
                    out.put(id, listed(id, type, GroupState.EMPTY));
                }
            });
            registry.classic.forEach((id, group) -> {
                GroupState state = group.state();
                if (state == GroupState.DEAD) {
                    return;
                }
                if (stateOk.test(state.kafkaName())) {
                    out.put(id, listed(id, group.protocolType(), state));
                } else {
                    out.remove(id);
                }
            });
            return new ArrayList<>(out.values());
        });
    }

    private static ListedGroup listed(String id, String type, GroupState state) {
        return new ListedGroup().setGroupId(id).setProtocolType(type == null ? "" : type)
                .setGroupState(state.kafkaName()).setGroupType(GroupCoordinator.CLASSIC);
    }

}
