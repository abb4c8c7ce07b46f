package io.korvet.network;

import io.korvet.StartupException;
import io.korvet.config.ListenerConfig;
import io.korvet.config.ListenerKeys;
import io.korvet.topic.NodeConfigs;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS context each TLS listener gives new connections, and its reload when the broker's dynamic configs name
 * another keystore or truststore ({@code listener.name.<listener>.ssl.keystore.location} and the other keys of
 * {@code BrokerConfigs.RELOADABLE_TLS}, set with {@code kafka-configs.sh --entity-type brokers --entity-name <id>}),
 * or name the same files after they changed, as Kafka does for certificate rotation. Connections already open keep
 * the context they started with.
 */
public final class TlsReloads implements NodeConfigs {

    private static final Logger log = LoggerFactory.getLogger(TlsReloads.class);

    /**
     * A listener's context in force, the identities its keystore presents, the {@code ssl.*} values it was built
     * from, and its store files as they were.
     */
    private record InForce(SslContext context, List<CertificateIdentity> identities, Map<String, String> ssl, String files) {
    }

    private final Map<String, ListenerConfig> listeners = new HashMap<>();
    private final Map<String, InForce> inForce = new ConcurrentHashMap<>();

    /** Builds every TLS listener's context from its static configs. */
    public TlsReloads(List<ListenerConfig> all) throws StartupException {
        for (ListenerConfig l : all) {
            if (l.tls()) {
                listeners.put(l.name(), l);
                TlsContexts.Built built = TlsContexts.forListener(l);
                inForce.put(l.name(), new InForce(built.context(), built.identities(), l.ssl(), files(l.ssl())));
            }
        }
    }

    /** The context a new connection to the listener gets, or null for a listener without TLS. */
    public SslContext context(String listener) {
        InForce f = inForce.get(listener);
        return f == null ? null : f.context();
    }

    @Override
    public void check(Map<String, String> configs) {
        for (ListenerConfig l : listeners.values()) {
            Map<String, String> ssl = effective(l, configs);
            if (changed(l, ssl)) {
                try {
                    compatible(l, ssl);
                } catch (StartupException e) {
                    throw new InvalidRequestException("Validation of dynamic config update of SSLFactory failed: " + e.getMessage());
                }
            }
        }
    }

    @Override
    public synchronized void apply(Map<String, String> configs) {
        for (ListenerConfig l : listeners.values()) {
            Map<String, String> ssl = effective(l, configs);
            if (!changed(l, ssl)) {
                continue;
            }
            try {
                TlsContexts.Built built = compatible(l, ssl);
                inForce.put(l.name(), new InForce(built.context(), built.identities(), ssl, files(ssl)));
                log.info("Listener {}: new connections use the keystore {} and truststore {}", l.name(), where(ssl, "keystore"),
                        where(ssl, "truststore"));
            } catch (StartupException e) {
                log.warn("Listener {} keeps its TLS keys: {}", l.name(), e.getMessage());
            }
        }
    }

    /**
     * The listener's context built from new values, when it may replace the one in force as Kafka allows: a
     * truststore only where there was one, and certificates that keep their distinguished names and subject
     * alternative names unless {@code ssl.allow.dn.changes} / {@code ssl.allow.san.changes} say otherwise.
     */
    private TlsContexts.Built compatible(ListenerConfig l, Map<String, String> ssl) throws StartupException {
        InForce f = inForce.get(l.name());
        String where = "listener " + l.name() + ": ";
        if (!ListenerConfig.hasTruststore(f.ssl()) && ListenerConfig.hasTruststore(ssl)) {
            throw new StartupException(where + "Cannot add SSL truststore to an existing listener for which no truststore was configured.");
        }
        TlsContexts.Built built = TlsContexts.forListener(withSsl(l, ssl));
        try {
            CertificateIdentity.ensureCompatible(f.identities(), built.identities(), flag(ssl, "ssl.allow.dn.changes"),
                    flag(ssl, "ssl.allow.san.changes"));
        } catch (IllegalArgumentException e) {
            throw new StartupException(where + e.getMessage());
        }
        return built;
    }

    private static boolean flag(Map<String, String> ssl, String key) {
        return Boolean.parseBoolean(ssl.getOrDefault(key, "false").trim());
    }

    /** Whether the values differ from those in force, or the files they name changed since they were read. */
    private boolean changed(ListenerConfig l, Map<String, String> ssl) {
        InForce f = inForce.get(l.name());
        return !f.ssl().equals(ssl) || !f.files().equals(files(ssl));
    }

    /** The listener's static {@code ssl.*} values with the dynamic {@code listener.name.<listener>.ssl.*} ones over them. */
    private static Map<String, String> effective(ListenerConfig l, Map<String, String> dynamic) {
        Map<String, String> ssl = new HashMap<>(l.ssl());
        String prefix = ListenerKeys.prefix(l.name());
        dynamic.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.startsWith("ssl.", prefix.length())) {
                ssl.put(k.substring(prefix.length()), v);
            }
        });
        return Map.copyOf(ssl);
    }

    private static ListenerConfig withSsl(ListenerConfig l, Map<String, String> ssl) {
        return new ListenerConfig(l.bind(), l.advertised(), l.protocol(), ssl, l.saslMechanisms(), l.jaas(), l.reauthMs(),
                l.saslMaxReceiveSize());
    }

    /** The keystore and truststore files as last modified and sized, to tell a file replaced under the same name. */
    private static String files(Map<String, String> ssl) {
        StringBuilder out = new StringBuilder();
        for (String key : List.of("ssl.keystore.location", "ssl.truststore.location")) {
            String location = ssl.getOrDefault(key, "").trim();
            if (location.isEmpty()) {
                continue;
            }
            try {
                Path p = Path.of(location);
                out.append(location).append('@').append(Files.getLastModifiedTime(p).toMillis()).append('/').append(Files.size(p)).append(';');
            } catch (IOException | RuntimeException e) {
                out.append(location).append("@missing;");
            }
        }
        return out.toString();
    }

    private static String where(Map<String, String> ssl, String store) {
        String location = ssl.getOrDefault("ssl." + store + ".location", "").trim();
        if (!location.isEmpty()) {
            return location;
        }
        String pem = ssl.getOrDefault(store.equals("keystore") ? "ssl.keystore.certificate.chain" : "ssl.truststore.certificates", "");
        return pem.isBlank() ? "(none)" : "(PEM in the config)";
    }
}
