package io.korvet.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The server-side assignors of the consumer group protocol (KIP-848), by the names clients ask for in
 * {@code group.remote.assignor}: {@code uniform} spreads every subscribed partition over the members subscribed to
 * its topic as evenly as it can, keeping partitions where they are when that does not unbalance the members;
 * {@code range} gives each member a contiguous range of each topic it subscribes to, in member id order. Pure
 * functions of the subscriptions, the topics' partition counts and (for stickiness) the current target; an
 * assignment maps a topic id to its partitions.
 */
public final class ServerAssignors {

    public static final String UNIFORM = "uniform";
    public static final String RANGE = "range";
    public static final List<String> NAMES = List.of(UNIFORM, RANGE);

    private ServerAssignors() {
    }

    /** One partition of a topic. */
    private record Slot(Uuid topic, int partition) {
    }

    /**
     * @param subscriptions each member's subscribed topic ids (only topics that exist)
     * @param partitions each topic's partition count
     * @param current each member's current target, for stickiness
     */
    public static Map<String, Map<Uuid, Set<Integer>>> assign(String assignor, Map<String, Set<Uuid>> subscriptions,
                                                            Map<Uuid, Integer> partitions, Map<String, Map<Uuid, Set<Integer>>> current) {
        return RANGE.equals(assignor) ? range(subscriptions, partitions) : uniform(subscriptions, partitions, current);
    }

    static Map<String, Map<Uuid, Set<Integer>>> range(Map<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitions) {
        Map<String, Map<Uuid, Set<Integer>>> out = empty(subscriptions);
        for (Uuid topic : new TreeSet<>(partitions.keySet())) {
            List<String> members = new ArrayList<>();
            subscriptions.forEach((m, topics) -> {
                if (topics.contains(topic)) {
                    members.add(m);
                }
            });
            if (members.isEmpty()) {
                continue;
            }
            members.sort(Comparator.naturalOrder());
            int count = partitions.get(topic);
            int each = count / members.size();
            int extra = count % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int n = each + (i < extra ? 1 : 0);
                for (int p = next; p < next + n; p++) {
                    out.get(members.get(i)).computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
                }
                next += n;
            }
        }
        return out;
    }

    static Map<String, Map<Uuid, Set<Integer>>> uniform(Map<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitions,
                                                       Map<String, Map<Uuid, Set<Integer>>> current) {
        Map<String, Map<Uuid, Set<Integer>>> out = empty(subscriptions);
        if (subscriptions.isEmpty()) {
            return out;
        }
        List<Slot> all = new ArrayList<>();
        for (Uuid topic : new TreeSet<>(partitions.keySet())) {
            boolean subscribed = subscriptions.values().stream().anyMatch(s -> s.contains(topic));
            for (int p = 0; subscribed && p < partitions.get(topic); p++) {
                all.add(new Slot(topic, p));
            }
        }
        // How many each member may keep: as even a share as the partitions allow, the larger shares going to the
        // members that already hold the most (so that fewer partitions move).
        int members = subscriptions.size();
        int floor = all.size() / members;
        int larger = all.size() % members;
        Map<String, Integer> loads = new HashMap<>();
        List<String> byHeld = new ArrayList<>(new TreeSet<>(subscriptions.keySet()));
        byHeld.sort(Comparator.comparingInt((String m) -> -count(current.get(m))));
        Map<String, Integer> quota = new HashMap<>();
        for (int i = 0; i < byHeld.size(); i++) {
            quota.put(byHeld.get(i), floor + (i < larger ? 1 : 0));
        }
        java.util.Set<Slot> taken = new java.util.HashSet<>();
        for (String m : byHeld) {
            Map<Uuid, Set<Integer>> held = current.getOrDefault(m, Map.of());
            for (Map.Entry<Uuid, Set<Integer>> e : new TreeMap<>(held).entrySet()) {
                Uuid topic = e.getKey();
                if (!subscriptions.get(m).contains(topic) || !partitions.containsKey(topic)) {
                    continue;
                }
                for (int p : new TreeSet<>(e.getValue())) {
                    Slot s = new Slot(topic, p);
                    if (p < partitions.get(topic) && loads.getOrDefault(m, 0) < quota.get(m) && taken.add(s)) {
                        out.get(m).computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
                        loads.merge(m, 1, Integer::sum);
                    }
                }
            }
        }
        for (Slot s : all) {
            if (taken.contains(s)) {
                continue;
            }
            String best = null;
            for (String m : new TreeSet<>(subscriptions.keySet())) {
                if (subscriptions.get(m).contains(s.topic())
                        && (best == null || loads.getOrDefault(m, 0) < loads.getOrDefault(best, 0))) {
                    best = m;
                }
            }
            out.get(best).computeIfAbsent(s.topic(), t -> new TreeSet<>()).add(s.partition());
            loads.merge(best, 1, Integer::sum);
        }
        return out;
    }

    private static int count(Map<Uuid, Set<Integer>> assignment) {
        return assignment == null ? 0 : assignment.values().stream().mapToInt(Set::size).sum();
    }

    private static Map<String, Map<Uuid, Set<Integer>>> empty(Map<String, Set<Uuid>> subscriptions) {
        Map<String, Map<Uuid, Set<Integer>>> out = new TreeMap<>();
        subscriptions.keySet().forEach(m -> out.put(m, new TreeMap<>()));
        return out;
    }
}
