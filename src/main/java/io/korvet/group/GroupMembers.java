package io.korvet.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The members of one classic group, in the order they joined, with the static ones ({@code group.instance.id},
 * KIP-345) by their instance id, and what the members have in common: the protocols all of them support,
 * the one they vote for, the longest rebalance timeout. Guarded by the group's lock.
 */
final class GroupMembers {

    private final LinkedHashMap<String, Member> byId = new LinkedHashMap<>();
    /** Instance id to the id of the member holding it now. */
    private final Map<String, String> staticIds = new HashMap<>();

    Member get(String memberId) {
        return byId.get(memberId);
    }

    boolean contains(String memberId) {
        return byId.containsKey(memberId);
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    int size() {
        return byId.size();
    }

    /** The members in joining order, live: not to be changed while iterated. */
    Collection<Member> all() {
        return byId.values();
    }

    Set<String> ids() {
        return byId.keySet();
    }

    /** The member that joined first, or null: the leader when the leader left. */
    String first() {
        return byId.isEmpty() ? null : byId.keySet().iterator().next();
    }

    /** Adds a member; a static one takes its instance id over from whoever held it. */
    void add(Member m) {
        byId.put(m.memberId, m);
        if (m.groupInstanceId != null) {
            staticIds.put(m.groupInstanceId, m.memberId);
        }
    }

    /** Removes a member, and its instance id unless another member holds it now; returns it, or null. */
    Member remove(String memberId) {
        Member m = byId.remove(memberId);
        if (m != null && m.groupInstanceId != null && memberId.equals(staticIds.get(m.groupInstanceId))) {
            staticIds.remove(m.groupInstanceId);
        }
        return m;
    }

    /** The id of the member holding an instance id, or null. */
    String holderOf(String instanceId) {
        return staticIds.get(instanceId);
    }

    /** A request naming an instance id that another member holds now comes from a fenced zombie. */
    boolean fenced(String memberId, String instanceId) {
        return instanceId != null && !memberId.equals(staticIds.get(instanceId));
    }

    /** Whether a joining member supporting these protocols has one in common with all members (true when none). */
    boolean shareAProtocolWith(Set<String> protocols) {
        if (byId.isEmpty()) {
            return true;
        }
        Set<String> common = commonProtocols();
        for (String p : protocols) {
            if (common.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The protocol of the generation, chosen as Kafka chooses it: each member votes for the first protocol in
     * its order of preference that every member supports, and the most votes win (the earliest on a tie).
     */
    String selectProtocol() {
        Set<String> common = commonProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (Member m : byId.values()) {
            for (String p : m.protocols.keySet()) {
                if (common.contains(p)) {
                    votes.merge(p, 1, Integer::sum);
                    break;
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElseThrow();
    }

    /** The longest rebalance timeout of any member (at least 1 ms): how long a rebalance waits for them. */
    int maxRebalanceTimeoutMs() {
        int max = 0;
        for (Member m : byId.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return Math.max(max, 1);
    }

    /** Every member's metadata for a protocol, in joining order. */
    List<byte[]> metadata(String protocol) {
        List<byte[]> out = new ArrayList<>(byId.size());
        for (Member m : byId.values()) {
            out.add(m.metadata(protocol));
        }
        return out;
    }

    private Set<String> commonProtocols() {
        Set<String> common = null;
        for (Member m : byId.values()) {
            if (common == null) {
                common = new LinkedHashSet<>(m.protocols.keySet());
            } else {
                common.retainAll(m.protocols.keySet());
            }
        }
        return common == null ? Set.of() : common;
    }
}
