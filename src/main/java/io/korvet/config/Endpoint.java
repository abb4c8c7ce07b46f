package io.korvet.config;

/** A listener address as Kafka writes it: {@code PLAINTEXT://host:port}. */
public record Endpoint(String host, int port) {

    public static Endpoint parse(String key, String value) {
        String v = value.trim();
        int scheme = v.indexOf("://");
        if (scheme >= 0) {
            String name = v.substring(0, scheme);
            if (!name.equalsIgnoreCase("PLAINTEXT")) {
                throw new ConfigException(key + ": only PLAINTEXT listeners are supported, got '" + value + "'");
            }
            v = v.substring(scheme + 3);
        }
        if (v.contains(",")) {
            throw new ConfigException(key + ": exactly one listener is supported, got '" + value + "'");
        }
        int colon = v.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key + ": expected PLAINTEXT://host:port, got '" + value + "'");
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
        return new Endpoint(host, port);
    }

    @Override
    public String toString() {
        return "PLAINTEXT://" + (host.isEmpty() ? "0.0.0.0" : host) + ":" + port;
    }
}
