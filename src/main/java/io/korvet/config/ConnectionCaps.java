package io.korvet.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka's limits on client connections: {@code max.connections} (the broker's, over all listeners: past it the broker
 * accepts no more until one closes), {@code max.connections.per.ip} and its {@code max.connections.per.ip.overrides}
 * ({@code host:count} pairs; past its limit a new connection from the address is closed at once).
 */
public record ConnectionCaps(int maxConnections, int maxPerIp, Map<String, Integer> perIpOverrides) {

    public static final ConnectionCaps NONE = new ConnectionCaps(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of());

    public ConnectionCaps {
        perIpOverrides = Map.copyOf(perIpOverrides);
    }

    static ConnectionCaps from(Map<String, String> all) {
        int max = (int) KorvetConfig.parseLong("max.connections", all.get("max.connections"), 0, Integer.MAX_VALUE);
        int perIp = (int) KorvetConfig.parseLong("max.connections.per.ip", all.get("max.connections.per.ip"), 0, Integer.MAX_VALUE);
        Map<String, Integer> overrides = new LinkedHashMap<>();
        String raw = all.get("max.connections.per.ip.overrides").trim();
        if (!raw.isEmpty()) {
            for (String pair : raw.split(",")) {
                int colon = pair.lastIndexOf(':');
                if (colon <= 0) {
                    throw new ConfigException("max.connections.per.ip.overrides: expected host:count pairs, got '" + pair.trim() + "'");
                }
                overrides.put(pair.substring(0, colon).trim(), (int) KorvetConfig.parseLong("max.connections.per.ip.overrides",
                        pair.substring(colon + 1), 0, Integer.MAX_VALUE));
            }
        }
        if (perIp == 0 && overrides.isEmpty()) {
            // Kafka's rule: with no connection allowed per address, only the overridden addresses could connect.
            throw new ConfigException("max.connections.per.ip: 0 needs max.connections.per.ip.overrides, or no client could connect");
        }
        return new ConnectionCaps(max, perIp, overrides);
    }
}
