package io.korvet.network;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Who a keystore's certificate says the broker is: its alias, subject distinguished name and subject alternative
 * names. A keystore reloaded at runtime must keep them, as Kafka checks unless {@code ssl.allow.dn.changes} or
 * {@code ssl.allow.san.changes} is true: a rotated certificate is the same broker's, and clients that verify it
 * keep connecting.
 */
record CertificateIdentity(String alias, X500Principal subject, Set<List<?>> altNames) {

    /** The alias Kafka gives the key of a PEM keystore. */
    static final String PEM_ALIAS = "kafka";

    static CertificateIdentity of(String alias, X509Certificate certificate) throws GeneralSecurityException {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        return new CertificateIdentity(alias, certificate.getSubjectX500Principal(), names == null ? Set.of() : Set.copyOf(names));
    }

    /** Every X.509 certificate of a keystore: its key entries' own certificates and its trusted ones. */
    static List<CertificateIdentity> of(KeyStore store) throws GeneralSecurityException {
        List<CertificateIdentity> out = new ArrayList<>();
        Enumeration<String> aliases = store.aliases();
        while (aliases.hasMoreElements()) {
            String alias = aliases.nextElement();
            Certificate c = store.getCertificate(alias);
            if (c instanceof X509Certificate x) {
                out.add(of(alias, x));
            }
        }
        return out;
    }

    /** The first certificate of a PEM chain (a file may hold the key too), the one the broker presents. */
    static List<CertificateIdentity> ofPemChain(byte[] pem) throws GeneralSecurityException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf(BEGIN);
        int end = begin < 0 ? -1 : text.indexOf(END, begin);
        if (end < 0) {
            return List.of();
        }
        byte[] first = text.substring(begin, end + END.length()).getBytes(StandardCharsets.US_ASCII);
        Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(first));
        return c instanceof X509Certificate x ? List.of(of(PEM_ALIAS, x)) : List.of();
    }

    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";

    /**
     * Refuses a new keystore whose certificates do not keep the old ones' distinguished names (unless
     * {@code allowDnChanges}) or drop subject alternative names (unless {@code allowSanChanges}), with Kafka's
     * messages. The certificates are compared in the order of their subject names, so a store that lists the same
     * entries in another order is the same store.
     *
     * @throws IllegalArgumentException saying which entry differs and how
     */
    static void ensureCompatible(List<CertificateIdentity> old, List<CertificateIdentity> next, boolean allowDnChanges,
                                 boolean allowSanChanges) {
        if (allowDnChanges && allowSanChanges) {
            return;
        }
        if (old.size() != next.size()) {
            throw new IllegalArgumentException(String.format("Keystore entries do not match, existing store contains %d entries,"
                    + " new store contains %d entries", old.size(), next.size()));
        }
        List<CertificateIdentity> a = sorted(old);
        List<CertificateIdentity> b = sorted(next);
        for (int i = 0; i < a.size(); i++) {
            CertificateIdentity was = a.get(i);
            CertificateIdentity is = b.get(i);
            if (!allowDnChanges && !was.subject().equals(is.subject())
                    && !was.subject().getName().equalsIgnoreCase(is.subject().getName())) {
                throw new IllegalArgumentException(String.format("Keystore DistinguishedName does not match: existing={alias=%s, DN=%s},"
                        + " new={alias=%s, DN=%s} (ssl.allow.dn.changes=false)", was.alias(), was.subject(), is.alias(), is.subject()));
            }
            if (!allowSanChanges && !is.altNames().containsAll(was.altNames())) {
                throw new IllegalArgumentException(String.format("Keystore SubjectAltNames do not match: existing={alias=%s, SAN=%s},"
                        + " new={alias=%s, SAN=%s} (ssl.allow.san.changes=false)", was.alias(), was.altNames(), is.alias(), is.altNames()));
            }
        }
    }

    private static List<CertificateIdentity> sorted(List<CertificateIdentity> all) {
        return all.stream().sorted(Comparator.comparing((CertificateIdentity c) -> c.subject().getName().toLowerCase(java.util.Locale.ROOT))
                .thenComparing(c -> c.altNames().toString())).toList();
    }
}
