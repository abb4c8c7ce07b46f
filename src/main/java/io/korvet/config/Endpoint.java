package io.korvet.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One listener address as Kafka writes it, {@code NAME://host:port}: the listener's name (upper case, as Kafka
 * normalises it; a name without a scheme is PLAINTEXT), the host (empty for every interface) and the port.
 */
public record Endpoint(String listenerName, String host, int port) {

    /** A PLAINTEXT listener. */
    public Endpoint(String host, int port) {
        this("PLAINTEXT", host, port);
    }

    /** The listeners of a comma-separated list, each name at most once. */
    public static List<Endpoint> parseList(String key, String value) {
        List<Endpoint> endpoints = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Endpoint e = parse(key, part);
            if (!names.add(e.listenerName())) {
                throw new ConfigException(key + ": listener name " + e.listenerName() + " appears twice in '" + value + "'");
            }
            endpoints.add(e);
        }
        if (endpoints.isEmpty()) {
            throw new ConfigException(key + ": expected NAME://host:port[,NAME://host:port...], got '" + value + "'");
        }
        return List.copyOf(endpoints);
    }

    public static Endpoint parse(String key, String value) {
        String v = value.trim();
        String name = "PLAINTEXT";
        int scheme = v.indexOf("://");
        if (scheme >= 0) {
            name = v.substring(0, scheme).toUpperCase(Locale.ROOT);
            if (!name.matches("[A-Z0-9_-]+")) {
                throw new ConfigException(key + ": listener name '" + v.substring(0, scheme) + "' is not [A-Za-z0-9_-]+");
            }
            v = v.substring(scheme + 3);
        }
        if (v.contains(",")) {
            throw new ConfigException(key + ": expected one NAME://host:port, got '" + value + "'");
        }
        int colon = v.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key + ": expected NAME://host:port, got '" + value + "'");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": port is not a number in '" + value + "'");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key + ": port out of range in '" + value + "'");
        }
        return new Endpoint(name, host, port);
    }

    /** The same listener at another address. */
    public Endpoint at(String newHost, int newPort) {
        return new Endpoint(listenerName, newHost, newPort);
    }

    @Override
    public String toString() {
        return listenerName + "://" + (host.isEmpty() ? "0.0.0.0" : host) + ":" + port;
    }
}
