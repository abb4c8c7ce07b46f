package io.korvet.config;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * One listener with everything that decides how its connections are secured: where it binds and what it
 * advertises, its security protocol, the {@code ssl.*} values in force on it (its {@code listener.name.<l>.}
 * prefixed keys over the global ones), and for SASL its mechanisms, their JAAS entries and session lifetimes.
 */
public record ListenerConfig(
        Endpoint bind,
        Endpoint advertised,
        SecurityProtocol protocol,
        Map<String, String> ssl,
        List<String> saslMechanisms,
        Map<String, JaasEntry> jaas,
        Map<String, Long> reauthMs,
        int saslMaxReceiveSize) {

    /** Whether {@code ssl.*} values name a truststore (a file, or PEM certificates in the config). */
    public static boolean hasTruststore(java.util.Map<String, String> ssl) {
        return !ssl.getOrDefault("ssl.truststore.location", "").isBlank() || !ssl.getOrDefault("ssl.truststore.certificates", "").isBlank();
    }

    public String name() {
        return bind.listenerName();
    }

    public boolean tls() {
        return protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    }

    public boolean sasl() {
        return protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
    }

    /** How long a session authenticated with this mechanism lasts (0: for ever). */
    public long reauthMsOf(String mechanism) {
        return reauthMs.getOrDefault(mechanism, 0L);
    }
}
