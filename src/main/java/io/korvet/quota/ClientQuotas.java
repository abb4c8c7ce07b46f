package io.korvet.quota;

import io.korvet.storage.TopicStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's client quotas, as Kafka's {@code kafka-configs.sh --entity-type users|clients} sets them: kept in Redis,
 * read by every broker at start-up and again when another broker changed them, checked as Kafka's controller checks
 * them, and looked up for a client with Kafka's order of precedence.
 */
public final class ClientQuotas {

    private static final Logger log = LoggerFactory.getLogger(ClientQuotas.class);

    public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    public static final String CONNECTION_CREATION_RATE = "connection_creation_rate";
    public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";
    /** Kafka's keys for user and client-id entities, and whether each must be integral. */
    private static final Map<String, Boolean> USER_CLIENT_KEYS = Map.of(PRODUCER_BYTE_RATE, true, CONSUMER_BYTE_RATE, true,
            "request_percentage", false, CONTROLLER_MUTATION_RATE, false);
    private static final Map<String, Boolean> IP_KEYS = Map.of(CONNECTION_CREATION_RATE, true);
    /** The quotas Korvet enforces; Kafka's others are refused rather than kept without effect. */
    private static final Set<String> ENFORCED = Set.of(PRODUCER_BYTE_RATE, CONSUMER_BYTE_RATE, CONNECTION_CREATION_RATE,
            CONTROLLER_MUTATION_RATE);

    /** The quota that applies to a client: its bound, and the user and client id its usage is counted under. */
    public record Limit(double bound, String user, String clientId) {
    }

    private final TopicStore store;
    private volatile Map<QuotaEntity, Map<String, Double>> quotas = Map.of();
    /** The connection_creation_rate of each address named by an ip entity (resolved when the quotas are read). */
    private volatile Map<InetAddress, Double> ipRates = Map.of();

    public ClientQuotas(TopicStore store) {
        this.store = store;
    }

    /** Every entity with quotas, and its quotas. */
    public Map<QuotaEntity, Map<String, Double>> all() {
        return quotas;
    }

    /** Reads the quotas from Redis: at start-up, and when another broker changed the registry. */
    public CompletionStage<Void> reload() {
        // thenAcceptAsync: an ip entity may name a host, whose lookup must not hold up the Redis connection's thread.
        return store.loadQuotas().thenAcceptAsync(stored -> {
            Map<QuotaEntity, Map<String, Double>> read = new HashMap<>();
            stored.forEach((entity, values) -> {
                Map<String, Double> parsed = new LinkedHashMap<>();
                values.forEach((k, v) -> parsed.put(k, Double.parseDouble(v)));
                read.put(QuotaEntity.decoded(entity), Map.copyOf(parsed));
            });
            Map<QuotaEntity, Map<String, Double>> before = quotas;
            ipRates = resolvedIpRates(read);
            quotas = Map.copyOf(read);
            if (!read.equals(before)) {
                log.info("Client quotas are now {}", read);
            }
        });
    }

    /**
     * Why the alteration of {@code entity} cannot be made (Kafka's messages), or null: {@code ops} maps each key to its
     * new value, or to null to remove it.
     */
    public static String refusal(QuotaEntity entity, Map<String, Double> ops) {
        Map<String, String> parts = entity.parts();
        if (parts.isEmpty()) {
            return "Invalid empty client quota entity";
        }
        for (Map.Entry<String, String> p : parts.entrySet()) {
            if (!QuotaEntity.TYPES.contains(p.getKey())) {
                return "Unhandled client quota entity type: " + p.getKey();
            }
            if (p.getValue() != null && p.getValue().isEmpty()) {
                return "Empty " + p.getKey() + " not supported";
            }
        }
        Map<String, Boolean> keys;
        if (parts.containsKey(QuotaEntity.IP)) {
            if (parts.size() > 1) {
                return "Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId";
            }
            String ip = parts.get(QuotaEntity.IP);
            if (ip != null && resolved(ip) == null) {
                return parts.get(QuotaEntity.IP) + " is not a valid IP or resolvable host.";
            }
            keys = IP_KEYS;
        } else {
            keys = USER_CLIENT_KEYS;
        }
        for (Map.Entry<String, Double> op : ops.entrySet()) {
            String key = op.getKey();
            Double value = op.getValue();
            if (value == null) {
                continue;
            }
            Boolean integral = keys.get(key);
            if (integral == null) {
                return "Invalid configuration key " + key;
            }
            if (value <= 0.0) {
                return "Quota " + key + " must be greater than 0";
            }
            if (integral && Math.abs(value % 1.0) > 1e-6) {
                return key + " cannot be a fractional value.";
            }
            if (!ENFORCED.contains(key)) {
                return "Quota " + key + " is not supported by Korvet, which enforces " + ENFORCED.stream().sorted().toList();
            }
        }
        return null;
    }

    /** The address an ip entity names (an address, or a host name looked up), or null when it resolves to none. */
    private static InetAddress resolved(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Applies the alteration of one entity, which {@link #refusal} found none for, and reloads the quotas here. */
    public CompletionStage<Void> alter(QuotaEntity entity, Map<String, Double> ops) {
        return store.updateQuotas(entity.encoded(), current -> {
            Map<String, String> next = new LinkedHashMap<>(current);
            ops.forEach((key, value) -> {
                if (value == null) {
                    next.remove(key);
                } else {
                    next.put(key, Double.toString(value));
                }
            });
            return next;
        }).thenCompose(v -> reload()).thenRun(() -> log.info("AlterClientQuotas {}: {}", entity, ops));
    }

    /**
     * The quota {@code key} that applies to a client of {@code user} (its principal's name) and {@code clientId}, or
     * null: the first entity with that quota in Kafka's documented order of precedence, user and client id, user and
     * default client id, user, default user and client id, both defaults, default user, client id, default client id.
     * Usage is counted per user and client id, per user, or per client id as the entity found names them.
     */
    public Limit limit(String key, String user, String clientId) {
        Map<QuotaEntity, Map<String, Double>> q = quotas;
        if (q.isEmpty()) {
            return null;
        }
        for (String userName : new String[] {user, null}) {
            for (String clientName : new String[] {clientId, null}) {
                Double bound = bound(q, QuotaEntity.of(userName, clientName, true, true), key);
                if (bound != null) {
                    return new Limit(bound, user, clientId);
                }
            }
            Double bound = bound(q, QuotaEntity.of(QuotaEntity.USER, userName), key);
            if (bound != null) {
                return new Limit(bound, user, "");
            }
        }
        for (String name : new String[] {clientId, null}) {
            Double bound = bound(q, QuotaEntity.of(QuotaEntity.CLIENT_ID, name), key);
            if (bound != null) {
                return new Limit(bound, "", clientId);
            }
        }
        return null;
    }

    /**
     * The {@code connection_creation_rate} of new connections from {@code address} (KIP-612), or null: its ip
     * entity's, else the default ip entity's. Counted per address.
     */
    public Limit ipLimit(InetAddress address) {
        Double bound = ipRates.get(address);
        if (bound == null) {
            bound = bound(quotas, QuotaEntity.of(QuotaEntity.IP, null), CONNECTION_CREATION_RATE);
        }
        return bound == null ? null : new Limit(bound, address.getHostAddress(), "");
    }

    private static Map<InetAddress, Double> resolvedIpRates(Map<QuotaEntity, Map<String, Double>> read) {
        Map<InetAddress, Double> out = new HashMap<>();
        read.forEach((entity, values) -> {
            String ip = entity.parts().get(QuotaEntity.IP);
            Double rate = values.get(CONNECTION_CREATION_RATE);
            if (ip != null && rate != null) {
                InetAddress address = resolved(ip);
                if (address != null) {
                    out.put(address, rate);
                } else {
                    log.warn("The connection_creation_rate of {} does not apply: the name does not resolve", ip);
                }
            }
        });
        return Map.copyOf(out);
    }

    private static Double bound(Map<QuotaEntity, Map<String, Double>> q, QuotaEntity entity, String key) {
        Map<String, Double> values = q.get(entity);
        return values == null ? null : values.get(key);
    }
}
