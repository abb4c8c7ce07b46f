package io.korvet.network;

import io.korvet.config.ConfigException;
import io.korvet.config.ConnectionCaps;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/**
 * The client connections the broker holds, in all and by address, against {@link ConnectionCaps}: Kafka's
 * {@code ConnectionQuotas} for {@code max.connections} and {@code max.connections.per.ip}.
 */
final class ConnectionCounts {

    private final int max;
    private final int perIp;
    private final Map<InetAddress, Integer> overrides = new HashMap<>();
    private final Map<InetAddress, Integer> byAddress = new HashMap<>();
    private int total;

    /** @throws ConfigException when an overridden host cannot be resolved */
    ConnectionCounts(ConnectionCaps caps) {
        this.max = caps.maxConnections();
        this.perIp = caps.maxPerIp();
        caps.perIpOverrides().forEach((host, count) -> {
            try {
                overrides.put(InetAddress.getByName(host), count);
            } catch (UnknownHostException e) {
                throw new ConfigException("max.connections.per.ip.overrides: cannot resolve " + host);
            }
        });
    }

    /** What became of a new connection. */
    enum Outcome { ADMITTED, BROKER_FULL, ADDRESS_FULL }

    /** Counts a new connection from {@code address}, unless the broker or the address is at its limit. */
    synchronized Outcome admit(InetAddress address) {
        if (total >= max) {
            return Outcome.BROKER_FULL;
        }
        int held = byAddress.getOrDefault(address, 0);
        if (held >= limitOf(address)) {
            return Outcome.ADDRESS_FULL;
        }
        byAddress.put(address, held + 1);
        total++;
        return Outcome.ADMITTED;
    }

    /** How many connections {@code address} may hold. */
    int limitOf(InetAddress address) {
        return overrides.getOrDefault(address, perIp);
    }

    /** A connection counted by {@link #admit} closed. */
    synchronized void release(InetAddress address) {
        byAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        total--;
    }

    /** Whether the broker holds {@code max.connections} connections: it then accepts no more until one closes. */
    synchronized boolean full() {
        return total >= max;
    }
}
