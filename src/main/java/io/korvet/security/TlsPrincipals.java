package io.korvet.security;

import io.korvet.config.ListenerConfig;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

/**
 * The principal of a TLS client, as Kafka's default principal builder makes it: {@code User:} and the certificate's
 * distinguished name (RFC 2253) after {@code ssl.principal.mapping.rules}; ANONYMOUS without a certificate.
 */
public final class TlsPrincipals {

    /** Each listener's mapping rules, parsed once rather than at every handshake. */
    private static final java.util.Map<String, SslPrincipalMapper> MAPPERS = new java.util.concurrent.ConcurrentHashMap<>();

    private TlsPrincipals() {
    }

    public static KafkaPrincipal of(SSLSession tls, ListenerConfig listener) {
        Certificate[] peer;
        try {
            peer = tls.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return KafkaPrincipal.ANONYMOUS;
        }
        if (peer.length == 0 || !(peer[0] instanceof X509Certificate cert)) {
            return KafkaPrincipal.ANONYMOUS;
        }
        String dn = cert.getSubjectX500Principal().getName();
        try {
            return new KafkaPrincipal(KafkaPrincipal.USER_TYPE,
                    MAPPERS.computeIfAbsent(listener.ssl().get("ssl.principal.mapping.rules"), SslPrincipalMapper::fromRules).getName(dn));
        } catch (IOException e) {
            return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, dn);
        }
    }

    /** A handshake failure in a line: its innermost cause, which says what went wrong. */
    public static String describe(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (t instanceof io.netty.handler.ssl.NotSslRecordException) {
            return "not a TLS record (a client without TLS on a TLS listener?)";
        }
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 200 ? m.substring(0, 200) + "..." : m));
    }
}
