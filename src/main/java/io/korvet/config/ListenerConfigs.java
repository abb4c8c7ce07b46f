package io.korvet.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Builds the listeners from Kafka's keys: {@code listeners}, {@code advertised.listeners},
 * {@code listener.security.protocol.map}, the {@code ssl.*} and {@code sasl.*} keys, and their per-listener forms
 * {@code listener.name.<listener>.<key>} and {@code listener.name.<listener>.<mechanism>.sasl.jaas.config}.
 */
public final class ListenerConfigs {

    /** The SASL mechanisms Korvet has. */
    public static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    private static final String DEFAULT_PRINCIPAL_BUILDER =
            "org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder";

    private ListenerConfigs() {
    }

    /**
     * @param all every key with its value in force (defaults included)
     * @param settings the keys set explicitly
     */
    static List<ListenerConfig> parse(Map<String, String> all, Map<String, String> settings) {
        Set<String> controllers = ListenerKeys.controllerListeners(all.get("controller.listener.names"));
        List<Endpoint> binds = new ArrayList<>(Endpoint.parseList("listeners", all.get("listeners")));
        binds.removeIf(b -> controllers.contains(b.listenerName()));
        if (binds.isEmpty()) {
            throw new ConfigException("listeners: every listener is a controller listener (controller.listener.names), and Korvet"
                    + " opens none: name a listener for clients, for example PLAINTEXT://:9092");
        }
        Map<String, SecurityProtocol> protocols = protocolMap(all.get("listener.security.protocol.map"));
        Map<String, Endpoint> advertised = new HashMap<>();
        String adv = all.get("advertised.listeners");
        if (!adv.isBlank()) {
            for (Endpoint e : Endpoint.parseList("advertised.listeners", adv)) {
                if (controllers.contains(e.listenerName())) {
                    continue;
                }
                advertised.put(e.listenerName(), e);
            }
        }
        Map<String, Endpoint> byName = new LinkedHashMap<>();
        Map<Integer, String> ports = new HashMap<>();
        for (Endpoint b : binds) {
            byName.put(b.listenerName(), b);
            String other = b.port() == 0 ? null : ports.put(b.port(), b.listenerName());
            if (other != null) {
                throw new ConfigException("listeners: " + other + " and " + b.listenerName() + " both use port " + b.port());
            }
        }
        for (String name : advertised.keySet()) {
            if (!byName.containsKey(name)) {
                throw new ConfigException("advertised.listeners: " + name + " is not one of the listeners " + byName.keySet());
            }
        }
        Map<String, Map<String, String>> prefixed = ListenerKeys.prefixedKeys(settings, byName.keySet(), controllers);
        List<ListenerConfig> listeners = new ArrayList<>();
        for (Endpoint b : binds) {
            SecurityProtocol protocol = protocols.get(b.listenerName());
            if (protocol == null) {
                throw new ConfigException("listeners: listener " + b.listenerName() + " has no security protocol in"
                        + " listener.security.protocol.map (" + all.get("listener.security.protocol.map") + ")");
            }
            Map<String, String> own = prefixed.getOrDefault(b.listenerName().toLowerCase(Locale.ROOT), Map.of());
            listeners.add(listener(b, advertised.getOrDefault(b.listenerName(), defaultAdvertised(b)), protocol, all, own));
        }
        return List.copyOf(listeners);
    }

    private static ListenerConfig listener(Endpoint bind, Endpoint advertised, SecurityProtocol protocol, Map<String, String> all,
                                           Map<String, String> own) {
        String prefix = ListenerKeys.prefix(bind.listenerName());
        Map<String, String> ssl = new TreeMap<>();
        for (String key : ListenerKeys.PER_LISTENER) {
            if (key.startsWith("ssl.")) {
                ssl.put(key, own.getOrDefault(key, all.get(key)));
            }
        }
        String builder = own.getOrDefault("principal.builder.class", all.get("principal.builder.class")).trim();
        if (!builder.isEmpty() && !builder.equals(DEFAULT_PRINCIPAL_BUILDER)) {
            throw new ConfigException("principal.builder.class: only " + DEFAULT_PRINCIPAL_BUILDER + " is available, got '" + builder + "'");
        }
        List<String> mechanisms = List.of();
        Map<String, JaasEntry> jaas = new TreeMap<>();
        Map<String, Long> reauth = new TreeMap<>();
        long defaultReauth = KorvetConfig.parseLong(prefix + "connections.max.reauth.ms",
                own.getOrDefault("connections.max.reauth.ms", all.get("connections.max.reauth.ms")), 0, Long.MAX_VALUE);
        int maxReceive = (int) KorvetConfig.parseLong("sasl.server.max.receive.size",
                own.getOrDefault("sasl.server.max.receive.size", all.get("sasl.server.max.receive.size")), 1, Integer.MAX_VALUE);
        if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
            mechanisms = mechanisms(prefix, own.getOrDefault("sasl.enabled.mechanisms", all.get("sasl.enabled.mechanisms")));
            for (String mechanism : mechanisms) {
                String m = mechanism.toLowerCase(Locale.ROOT) + ".";
                String line = own.get(m + "sasl.jaas.config");
                if (line != null) {
                    jaas.put(mechanism, JaasEntry.parse(prefix + m + "sasl.jaas.config", line));
                }
                String mechReauth = own.get(m + "connections.max.reauth.ms");
                reauth.put(mechanism, mechReauth == null ? defaultReauth
                        : KorvetConfig.parseLong(prefix + m + "connections.max.reauth.ms", mechReauth, 0, Long.MAX_VALUE));
            }
            checkJaas(prefix, mechanisms, jaas);
        }
        if (protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL) {
            checkTls(prefix, ssl);
        }
        return new ListenerConfig(bind, advertised, protocol, Map.copyOf(ssl), mechanisms, Map.copyOf(jaas), Map.copyOf(reauth),
                maxReceive);
    }

    private static List<String> mechanisms(String prefix, String value) {
        List<String> mechanisms = new ArrayList<>();
        for (String m : value.split(",")) {
            String mechanism = m.trim().toUpperCase(Locale.ROOT);
            if (mechanism.isEmpty()) {
                continue;
            }
            if (mechanism.equals("GSSAPI")) {
                throw new ConfigException("sasl.enabled.mechanisms (" + prefix + "): GSSAPI (Kerberos), Kafka's default, is not"
                        + " supported; set sasl.enabled.mechanisms to PLAIN, SCRAM-SHA-256 and/or SCRAM-SHA-512");
            }
            if (!MECHANISMS.contains(mechanism)) {
                throw new ConfigException("sasl.enabled.mechanisms (" + prefix + "): " + mechanism + " is not supported; Korvet has "
                        + MECHANISMS);
            }
            mechanisms.add(mechanism);
        }
        if (mechanisms.isEmpty()) {
            throw new ConfigException("sasl.enabled.mechanisms (" + prefix + "): a SASL listener needs at least one mechanism");
        }
        return List.copyOf(mechanisms);
    }

    private static void checkJaas(String prefix, List<String> mechanisms, Map<String, JaasEntry> jaas) {
        for (String mechanism : mechanisms) {
            JaasEntry entry = jaas.get(mechanism);
            String key = prefix + mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config";
            if (mechanism.equals("PLAIN")) {
                if (entry == null) {
                    throw new ConfigException(key + ": PLAIN needs its users, e.g. org.apache.kafka.common.security.plain"
                            + ".PlainLoginModule required user_admin=\"admin-secret\";");
                }
                if (!entry.loginModule().equals("org.apache.kafka.common.security.plain.PlainLoginModule")) {
                    throw new ConfigException(key + ": PLAIN takes org.apache.kafka.common.security.plain.PlainLoginModule, got "
                            + entry.loginModule());
                }
                if (entry.plainUsers().isEmpty()) {
                    throw new ConfigException(key + ": the PlainLoginModule line names no user_<name>=\"<password>\"");
                }
            } else if (entry != null && !entry.loginModule().equals("org.apache.kafka.common.security.scram.ScramLoginModule")) {
                throw new ConfigException(key + ": " + mechanism + " takes org.apache.kafka.common.security.scram.ScramLoginModule,"
                        + " got " + entry.loginModule());
            }
        }
    }

    private static void checkTls(String prefix, Map<String, String> ssl) {
        String type = ssl.get("ssl.keystore.type").toUpperCase(Locale.ROOT);
        boolean inlinePem = !ssl.get("ssl.keystore.certificate.chain").isBlank() || !ssl.get("ssl.keystore.key").isBlank();
        if (!Set.of("JKS", "PKCS12", "PEM").contains(type)) {
            throw new ConfigException(prefix + "ssl.keystore.type: expected JKS, PKCS12 or PEM, got '" + ssl.get("ssl.keystore.type") + "'");
        }
        if (inlinePem && !type.equals("PEM")) {
            throw new ConfigException(prefix + "ssl.keystore.certificate.chain and ssl.keystore.key need ssl.keystore.type=PEM");
        }
        if (inlinePem && (ssl.get("ssl.keystore.certificate.chain").isBlank() || ssl.get("ssl.keystore.key").isBlank())) {
            throw new ConfigException(prefix + "ssl.keystore.certificate.chain and ssl.keystore.key go together");
        }
        if (!inlinePem && ssl.get("ssl.keystore.location").isBlank()) {
            throw new ConfigException(prefix + "ssl.keystore.location: a TLS listener needs the broker's key and certificate");
        }
        String trustType = ssl.get("ssl.truststore.type").toUpperCase(Locale.ROOT);
        if (!Set.of("JKS", "PKCS12", "PEM").contains(trustType)) {
            throw new ConfigException(prefix + "ssl.truststore.type: expected JKS, PKCS12 or PEM, got '" + ssl.get("ssl.truststore.type") + "'");
        }
        String clientAuth = ssl.get("ssl.client.auth").trim().toLowerCase(Locale.ROOT);
        if (!Set.of("none", "requested", "required").contains(clientAuth)) {
            throw new ConfigException(prefix + "ssl.client.auth: expected none, requested or required, got '" + ssl.get("ssl.client.auth") + "'");
        }
        if (!clientAuth.equals("none") && !ListenerConfig.hasTruststore(ssl)) {
            throw new ConfigException(prefix + "ssl.client.auth=" + clientAuth + " needs a truststore (ssl.truststore.location or"
                    + " ssl.truststore.certificates) to check client certificates against");
        }
        for (String flag : List.of("ssl.allow.dn.changes", "ssl.allow.san.changes")) {
            String v = ssl.get(flag).trim();
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new ConfigException(prefix + flag + ": expected true or false, got '" + ssl.get(flag) + "'");
            }
        }
        try {
            new org.apache.kafka.common.security.ssl.SslPrincipalMapper(ssl.get("ssl.principal.mapping.rules"));
        } catch (RuntimeException e) {
            throw new ConfigException(prefix + "ssl.principal.mapping.rules: " + e.getMessage());
        }
    }

    private static Map<String, SecurityProtocol> protocolMap(String value) {
        Map<String, SecurityProtocol> map = new HashMap<>();
        for (String pair : value.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw new ConfigException("listener.security.protocol.map: expected NAME:PROTOCOL pairs, got '" + pair.trim() + "'");
            }
            String name = pair.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            String protocol = pair.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            try {
                map.put(name, SecurityProtocol.forName(protocol));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("listener.security.protocol.map: unknown security protocol '" + protocol
                        + "' (expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)");
            }
        }
        return map;
    }

    private static Endpoint defaultAdvertised(Endpoint listener) {
        String host = listener.host();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
            host = "localhost";
        }
        return listener.at(host, listener.port());
    }
}
