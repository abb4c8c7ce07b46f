package io.korvet.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which keys configure listeners and how they group by listener: the keys that may be set for one listener behind
 * {@code listener.name.<listener>.}, the KRaft controller listeners Korvet does not open, and the keys of security
 * features Korvet does not have, refused with the reason.
 */
public final class ListenerKeys {

    /** Keys that may also be set for one listener, behind {@code listener.name.<listener>.}. */
    static final Set<String> PER_LISTENER = Set.of("ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password",
            "ssl.key.password", "ssl.keystore.certificate.chain", "ssl.keystore.key", "ssl.truststore.type",
            "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.certificates", "ssl.enabled.protocols",
            "ssl.protocol", "ssl.cipher.suites", "ssl.client.auth", "ssl.principal.mapping.rules",
            "ssl.endpoint.identification.algorithm", "ssl.keymanager.algorithm", "ssl.trustmanager.algorithm", "ssl.provider",
            "ssl.secure.random.implementation", "ssl.allow.dn.changes", "ssl.allow.san.changes", "sasl.enabled.mechanisms", "connections.max.reauth.ms",
            "sasl.server.max.receive.size", "principal.builder.class");

    /** Keys Kafka has for features Korvet does not, each refused at start-up with the reason. */
    static final Map<String, String> UNSUPPORTED = Map.of(
            "sasl.kerberos.service.name", "Kerberos (GSSAPI) is not supported; use SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN",
            "sasl.server.callback.handler.class", "custom SASL callback handlers are not supported; PLAIN users come from the"
                    + " JAAS line, SCRAM users from kafka-configs.sh",
            "ssl.engine.factory.class", "custom SSL engine factories are not supported; use the ssl.* keys",
            "sasl.login.callback.handler.class", "custom SASL login callback handlers are not supported");

    private ListenerKeys() {
    }

    private static final String PREFIX = "listener.name.";

    /** Whether a key is one of the listener-prefixed forms (checked for what follows the prefix in {@link ListenerConfigs#parse}). */
    public static boolean isListenerKey(String key) {
        return key.startsWith(PREFIX);
    }

    /** The prefix of a listener's own keys: {@code listener.name.<listener in lower case>.}. */
    public static String prefix(String listener) {
        return PREFIX + listener.toLowerCase(java.util.Locale.ROOT) + ".";
    }

    /** What follows {@code listener.name.<listener>.} in a key, or null when the key is not of that form. */
    public static String unprefixed(String key) {
        if (!isListenerKey(key)) {
            return null;
        }
        int dot = key.indexOf('.', PREFIX.length());
        return dot > PREFIX.length() ? key.substring(dot + 1) : null;
    }

    /** Refuses the keys of features Korvet does not have, naming the reason. */
    static void refuseUnsupported(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            String bare = unprefixed(key) != null ? unprefixed(key) : key;
            for (Map.Entry<String, String> u : UNSUPPORTED.entrySet()) {
                if (bare.equals(u.getKey()) || bare.endsWith("." + u.getKey())) {
                    throw new ConfigException(key + ": " + u.getValue());
                }
            }
            if (bare.contains("sasl.oauthbearer.")) {
                throw new ConfigException(key + ": OAUTHBEARER is not supported; use SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN");
            }
        }
    }

    /** The {@code listener.name.<l>.<key>} settings, by lower-case listener name, each key checked. */
    static Map<String, Map<String, String>> prefixedKeys(Map<String, String> settings, Set<String> listenerNames,
                                                         Set<String> controllers) {
        Map<String, Map<String, String>> byListener = new HashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!isListenerKey(e.getKey())) {
                continue;
            }
            String rest = e.getKey().substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0) {
                throw new ConfigException("unknown setting '" + e.getKey() + "': expected listener.name.<listener>.<key>");
            }
            String listener = rest.substring(0, dot);
            String key = rest.substring(dot + 1);
            if (!listener.equals(listener.toLowerCase(Locale.ROOT))) {
                throw new ConfigException(e.getKey() + ": the listener name is written in lower case after listener.name.");
            }
            if (controllers.contains(listener.toUpperCase(Locale.ROOT))) {
                continue;
            }
            if (!listenerNames.contains(listener.toUpperCase(Locale.ROOT))) {
                throw new ConfigException(e.getKey() + ": " + listener + " is not one of the listeners " + listenerNames);
            }
            if (!PER_LISTENER.contains(key) && !isMechanismKey(key)) {
                throw new ConfigException("unknown setting '" + e.getKey() + "': after listener.name.<listener>. come "
                        + new java.util.TreeSet<>(PER_LISTENER) + " or <mechanism>.sasl.jaas.config");
            }
            byListener.computeIfAbsent(listener, l -> new HashMap<>()).put(key, e.getValue());
        }
        return byListener;
    }

    /** The KRaft controller listeners' names (upper case), which Korvet does not open. */
    static Set<String> controllerListeners(String names) {
        Set<String> out = new java.util.HashSet<>();
        for (String n : names.split(",")) {
            if (!n.isBlank()) {
                out.add(n.trim().toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static boolean isMechanismKey(String key) {
        for (String m : ListenerConfigs.MECHANISMS) {
            String p = m.toLowerCase(Locale.ROOT) + ".";
            if (key.equals(p + "sasl.jaas.config") || key.equals(p + "connections.max.reauth.ms")) {
                return true;
            }
        }
        return key.startsWith("gssapi.") || key.startsWith("oauthbearer.")
                ? fail(key) : false;
    }

    private static boolean fail(String key) {
        throw new ConfigException(key + ": " + (key.startsWith("gssapi.") ? "GSSAPI (Kerberos)" : "OAUTHBEARER")
                + " is not supported; use SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN");
    }
}
