package io.korvet.cluster;

import io.korvet.storage.TopicStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's feature levels (KIP-584), as Kafka's {@code kafka-features.sh} describes and changes them: which
 * levels this broker supports, and which are finalized for the whole cluster, kept in Redis and reloaded by every
 * broker when the registry changes. The levels gate what they name, as in Kafka: {@code group.version} 1 enables
 * consumer-protocol groups (KIP-848), {@code share.version} 1 share groups (KIP-932). {@code transaction.version}
 * goes up to 1 (Kafka's TV1 changes only the coordinator's own log format); level 2, transactions v2 (KIP-890 part
 * 2), is not supported, so producers keep transactions v1. A cluster that never ran UpdateFeatures has every
 * feature at its highest supported level (Korvet's behaviour before features could be changed).
 */
public final class ClusterFeatures {

    private static final Logger log = LoggerFactory.getLogger(ClusterFeatures.class);

    public static final String GROUP_VERSION = "group.version";
    public static final String SHARE_VERSION = "share.version";
    public static final String TRANSACTION_VERSION = "transaction.version";
    private static final String EPOCH = "epoch";

    /** Each feature this broker supports, from level 0 to the level here. */
    static final Map<String, Short> SUPPORTED_MAX = Collections.unmodifiableMap(new TreeMap<>(Map.of(
            GROUP_VERSION, (short) 1, SHARE_VERSION, (short) 1, TRANSACTION_VERSION, (short) 1)));

    /** The finalized levels (features at level 0 left out) and the epoch of the update that set them. */
    public record Finalized(Map<String, Short> levels, long epoch) {

        static final Finalized DEFAULTS = new Finalized(SUPPORTED_MAX, 0);

        /** From what the store holds; the defaults when it holds nothing. */
        static Finalized parse(Map<String, String> stored) {
            if (stored.isEmpty()) {
                return DEFAULTS;
            }
            Map<String, Short> levels = new TreeMap<>();
            long epoch = 0;
            for (Map.Entry<String, String> e : stored.entrySet()) {
                if (e.getKey().equals(EPOCH)) {
                    epoch = Long.parseLong(e.getValue());
                } else {
                    short level = Short.parseShort(e.getValue());
                    if (level > 0) {
                        levels.put(e.getKey(), level);
                    }
                }
            }
            return new Finalized(Collections.unmodifiableMap(levels), epoch);
        }

        Map<String, String> encode() {
            Map<String, String> out = new TreeMap<>();
            levels.forEach((k, v) -> out.put(k, Short.toString(v)));
            out.put(EPOCH, Long.toString(epoch));
            return out;
        }

        public short level(String feature) {
            return levels.getOrDefault(feature, (short) 0);
        }
    }

    /** A requested change of one feature: its new level and how it may move (UpdateFeatures' UpgradeType). */
    public record Update(short level, FeatureUpdate.UpgradeType type) {
    }

    private final TopicStore store;
    private final int nodeId;
    private volatile Finalized finalized = Finalized.DEFAULTS;

    public ClusterFeatures(TopicStore store, int nodeId) {
        this.store = store;
        this.nodeId = nodeId;
    }

    /** The levels this broker supports, each from 0. */
    public Map<String, Short> supportedMax() {
        return SUPPORTED_MAX;
    }

    public Finalized finalized() {
        return finalized;
    }

    /** The finalized level of a feature (0 when it is not finalized). */
    public short level(String feature) {
        return finalized.level(feature);
    }

    /** Reads the finalized levels from Redis: at start-up, and when another broker changed the registry. */
    public CompletionStage<Void> reload() {
        return store.loadFeatures().thenAccept(stored -> {
            Finalized before = finalized;
            if (adopt(Finalized.parse(stored)) && !finalized.levels().equals(before.levels())) {
                log.info("Finalized features are now {} (epoch {}), changed by another broker", finalized.levels(), finalized.epoch());
            }
        });
    }

    /** Takes {@code next} unless what is in force here is newer; whether it did. */
    private synchronized boolean adopt(Finalized next) {
        Finalized before = finalized;
        if (next.epoch() >= before.epoch() && !next.equals(before)) {
            finalized = next;
            return true;
        }
        return false;
    }

    /**
     * Why {@code updates} cannot be applied to the levels finalized now (Kafka's message, for INVALID_UPDATE_VERSION),
     * or null when they can: all or none, as Kafka's controller applies them.
     */
    public String refusal(Map<String, Update> updates) {
        return refusal(updates, finalized, nodeId);
    }

    static String refusal(Map<String, Update> updates, Finalized current, int nodeId) {
        for (Map.Entry<String, Update> e : updates.entrySet()) {
            String why = refusal(e.getKey(), e.getValue(), current.level(e.getKey()), nodeId);
            if (why != null) {
                return String.format("Invalid update version %d for feature %s. %s", e.getValue().level(), e.getKey(), why);
            }
        }
        return null;
    }

    private static String refusal(String feature, Update update, short current, int nodeId) {
        short level = update.level();
        if (update.type() == FeatureUpdate.UpgradeType.UNKNOWN) {
            return "The controller does not support the given upgrade type.";
        }
        if (level < 0) {
            return "A feature version cannot be less than 0.";
        }
        short max = SUPPORTED_MAX.getOrDefault(feature, (short) 0);
        if (level > max) {
            return max == 0 ? "Broker " + nodeId + " does not support this feature."
                    : "Broker " + nodeId + " only supports versions 0-" + max;
        }
        if (level < current && update.type() == FeatureUpdate.UpgradeType.UPGRADE) {
            return "Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.";
        }
        if (level > current && update.type() != FeatureUpdate.UpgradeType.UPGRADE) {
            return "Can't downgrade to a newer version.";
        }
        return null;
    }

    /**
     * Applies the updates, checked again against the levels Redis holds at the time of the write; completes with
     * the new finalized levels, or fails with {@link IllegalArgumentException} carrying the refusal.
     */
    public CompletionStage<Finalized> update(Map<String, Update> updates) {
        return store.updateFeatures(stored -> {
            Finalized current = Finalized.parse(stored);
            String why = refusal(updates, current, nodeId);
            if (why != null) {
                throw new IllegalArgumentException(why);
            }
            Map<String, Short> levels = new LinkedHashMap<>(current.levels());
            updates.forEach((feature, u) -> {
                if (u.level() == 0) {
                    levels.remove(feature);
                } else {
                    levels.put(feature, u.level());
                }
            });
            if (levels.equals(current.levels()) && !stored.isEmpty()) {
                return stored;
            }
            return new Finalized(levels, current.epoch() + 1).encode();
        }).thenApply(stored -> {
            Finalized next = Finalized.parse(stored);
            adopt(next);
            log.info("UpdateFeatures {}: finalized features {} (epoch {})", updates, next.levels(), next.epoch());
            return next;
        });
    }
}
