package io.korvet.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Which live broker leads each partition and coordinates each group: rendezvous (highest random weight) hashing,
 * computed alike by every broker from the same set of live node ids, so that no broker decides for the others.
 *
 * <p>A group goes to the broker with the highest weight for its id. A topic's partitions go, in order, each to the
 * highest-weighted broker that leads fewer than {@code ceil(partitions / brokers)} of the topic's partitions so far
 * (rendezvous with bounded loads): every broker leads its share of each topic, give or take one, and when a broker
 * comes or goes, the partitions that move are mostly those it takes or leaves.
 */
public final class LeaderAssignment {

    private LeaderAssignment() {
    }

    /** The leader of each partition of {@code topic}, by partition index; empty when no broker is live. */
    public static int[] leaders(String topic, int partitions, int[] nodeIds) {
        int n = nodeIds.length;
        int[] leaders = new int[partitions];
        if (n == 0) {
            Arrays.fill(leaders, -1);
            return leaders;
        }
        int cap = (partitions + n - 1) / n;
        int[] load = new int[n];
        long topicHash = hash(topic);
        long[] weights = new long[n];
        for (int p = 0; p < partitions; p++) {
            long key = mix(topicHash + p * 0x9E3779B97F4A7C15L);
            for (int i = 0; i < n; i++) {
                weights[i] = mix(key ^ (nodeIds[i] * 0xC2B2AE3D27D4EB4FL));
            }
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (load[i] < cap && (best < 0 || Long.compareUnsigned(weights[i], weights[best]) > 0)) {
                    best = i;
                }
            }
            load[best]++;
            leaders[p] = nodeIds[best];
        }
        return leaders;
    }

    /** The broker that owns {@code key} (a group id): the highest weight; -1 when no broker is live. */
    public static int owner(String key, int[] nodeIds) {
        long keyHash = mix(hash(key));
        int best = -1;
        long bestWeight = 0;
        for (int id : nodeIds) {
            long w = mix(keyHash ^ (id * 0xC2B2AE3D27D4EB4FL));
            if (best < 0 || Long.compareUnsigned(w, bestWeight) > 0) {
                best = id;
                bestWeight = w;
            }
        }
        return best;
    }

    /** FNV-1a over the UTF-8 bytes: stable across JVMs and versions, unlike String.hashCode's spread. */
    static long hash(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001B3L;
        }
        return h;
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
