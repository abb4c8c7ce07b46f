package io.korvet.quota;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whom a client quota applies to, as Kafka's {@code ClientQuotaEntity}: entity types ({@code user}, {@code client-id},
 * {@code ip}) to names, a null name standing for the type's default ({@code <default>} in Kafka's tools).
 */
public record QuotaEntity(Map<String, String> parts) {

    public static final String USER = "user";
    public static final String CLIENT_ID = "client-id";
    public static final String IP = "ip";
    /** The entity types Kafka knows. */
    public static final java.util.Set<String> TYPES = java.util.Set.of(USER, CLIENT_ID, IP);

    public QuotaEntity {
        TreeMap<String, String> sorted = new TreeMap<>();
        parts.forEach(sorted::put);
        parts = Collections.unmodifiableMap(sorted);
    }

    /** An entity of one type; {@code name} null for the default. */
    public static QuotaEntity of(String type, String name) {
        Map<String, String> parts = new TreeMap<>();
        parts.put(type, name);
        return new QuotaEntity(parts);
    }

    /** A user and client-id entity; either name null for that type's default. */
    public static QuotaEntity of(String user, String clientId, boolean withUser, boolean withClient) {
        Map<String, String> parts = new TreeMap<>();
        if (withUser) {
            parts.put(USER, user);
        }
        if (withClient) {
            parts.put(CLIENT_ID, clientId);
        }
        return new QuotaEntity(parts);
    }

    /**
     * The entity as a Redis hash field: {@code type=name} lines, an empty name for the default (Kafka refuses empty
     * entity names, so the two cannot be confused).
     */
    public Map<String, String> encoded() {
        Map<String, String> out = new TreeMap<>();
        parts.forEach((type, name) -> out.put(type, name == null ? "" : name));
        return out;
    }

    /** The entity of a Redis hash field written by {@link #encoded}. */
    public static QuotaEntity decoded(Map<String, String> lines) {
        Map<String, String> parts = new TreeMap<>();
        lines.forEach((type, name) -> parts.put(type, name.isEmpty() ? null : name));
        return new QuotaEntity(parts);
    }

    @Override
    public String toString() {
        return parts.entrySet().stream().map(e -> e.getKey() + "=" + (e.getValue() == null ? "<default>" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
