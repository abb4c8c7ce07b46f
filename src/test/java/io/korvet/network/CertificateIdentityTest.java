package io.korvet.network;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class CertificateIdentityTest {

    private static final List<?> DNS_LOCALHOST = List.of(2, "localhost");
    private static final List<?> IP_LOOPBACK = List.of(7, "127.0.0.1");
    private static final CertificateIdentity CA = id("ca", "CN=Korvet Test CA", Set.of());
    private static final CertificateIdentity SERVER = id("server", "CN=localhost,OU=Brokers,O=Korvet", Set.of(DNS_LOCALHOST, IP_LOOPBACK));

    private static CertificateIdentity id(String alias, String dn, Set<List<?>> sans) {
        return new CertificateIdentity(alias, new X500Principal(dn), sans);
    }

    @Test
    void aRenewedCertificateWithTheSameNamesIsCompatibleWhateverItsAliasOrOrder() {
        CertificateIdentity renewed = id("renewed", "CN=localhost, OU=Brokers, O=Korvet", Set.of(IP_LOOPBACK, DNS_LOCALHOST));
        assertThatCode(() -> CertificateIdentity.ensureCompatible(List.of(CA, SERVER), List.of(renewed, CA), false, false))
                .doesNotThrowAnyException();
    }

    @Test
    void aNewDistinguishedNameIsRefusedUnlessAllowed() {
        List<CertificateIdentity> rotated = List.of(CA, id("server", "CN=localhost,OU=Rotated,O=Korvet", SERVER.altNames()));
        assertThatThrownBy(() -> CertificateIdentity.ensureCompatible(List.of(CA, SERVER), rotated, false, false))
                .hasMessageContaining("Keystore DistinguishedName does not match")
                .hasMessageContaining("OU=Rotated");
        assertThatCode(() -> CertificateIdentity.ensureCompatible(List.of(CA, SERVER), rotated, true, false)).doesNotThrowAnyException();
    }

    @Test
    void droppingASubjectAlternativeNameIsRefusedUnlessAllowedAndAddingOneIsFine() {
        List<CertificateIdentity> fewer = List.of(CA, id("server", SERVER.subject().getName(), Set.of(DNS_LOCALHOST)));
        assertThatThrownBy(() -> CertificateIdentity.ensureCompatible(List.of(CA, SERVER), fewer, false, false))
                .hasMessageContaining("Keystore SubjectAltNames do not match");
        assertThatCode(() -> CertificateIdentity.ensureCompatible(List.of(CA, SERVER), fewer, false, true)).doesNotThrowAnyException();
        List<CertificateIdentity> more = List.of(CA, id("server", SERVER.subject().getName(),
                Set.of(DNS_LOCALHOST, IP_LOOPBACK, List.of(2, "broker-0.example"))));
        assertThatCode(() -> CertificateIdentity.ensureCompatible(List.of(CA, SERVER), more, false, false)).doesNotThrowAnyException();
    }

    @Test
    void anotherNumberOfEntriesIsRefused() {
        assertThatThrownBy(() -> CertificateIdentity.ensureCompatible(List.of(CA, SERVER), List.of(SERVER), false, false))
                .hasMessageContaining("existing store contains 2 entries, new store contains 1 entries");
        assertThatCode(() -> CertificateIdentity.ensureCompatible(List.of(CA, SERVER), List.of(SERVER), true, true)).doesNotThrowAnyException();
    }
}
