package io.korvet.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and the certificates it signs, made with the JDK's {@code keytool}: a server
 * certificate for localhost and 127.0.0.1, client certificates, and the same keys as PKCS12, JKS and PEM, as an
 * operator would hand them to Kafka.
 */
final class TestCertificates {

    static final String PASSWORD = "changeit-test";

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A new CA, a server certificate and the truststore holding the CA. */
    static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates c = new TestCertificates(dir);
        c.keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Korvet Test CA",
                "-ext", "bc:c", "-validity", "3", "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        c.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD, "-file", "ca.pem");
        c.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12",
                "-storetype", "PKCS12", "-storepass", PASSWORD);
        c.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.jks",
                "-storetype", "JKS", "-storepass", PASSWORD);
        c.signed("server", "CN=localhost,OU=Brokers,O=Korvet", "SAN=dns:localhost,ip:127.0.0.1");
        return c;
    }

    /** A key pair signed by the CA, in {@code <name>.p12} (alias {@code <name>}), its chain including the CA. */
    Path signed(String name, String dname, String san) throws IOException, InterruptedException {
        String store = name + ".p12";
        List<String> gen = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
                "-dname", dname, "-validity", "3", "-keystore", store, "-storetype", "PKCS12", "-storepass", PASSWORD));
        keytool(gen.toArray(new String[0]));
        keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", PASSWORD, "-file", name + ".csr");
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD,
                "-infile", name + ".csr", "-outfile", name + ".crt", "-rfc", "-validity", "3"));
        if (san != null) {
            sign.addAll(List.of("-ext", san));
        }
        keytool(sign.toArray(new String[0]));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", store, "-storepass", PASSWORD);
        keytool("-importcert", "-alias", name, "-file", name + ".crt", "-keystore", store, "-storepass", PASSWORD);
        return dir.resolve(store);
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** The CA certificate in PEM. */
    String caPem() throws IOException {
        return Files.readString(dir.resolve("ca.pem"));
    }

    /** A JKS copy of a PKCS12 keystore. */
    Path jks(String name) throws IOException, InterruptedException {
        keytool("-importkeystore", "-srckeystore", name + ".p12", "-srcstoretype", "PKCS12", "-srcstorepass", PASSWORD,
                "-destkeystore", name + ".jks", "-deststoretype", "JKS", "-deststorepass", PASSWORD, "-noprompt");
        return dir.resolve(name + ".jks");
    }

    /** The private key (PKCS#8, unencrypted) of a keystore made by {@link #signed}, in PEM. */
    String keyPem(String name) throws Exception {
        KeyStore ks = load(name);
        Key key = ks.getKey(name, PASSWORD.toCharArray());
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /** The certificate chain of a keystore made by {@link #signed}, in PEM. */
    String chainPem(String name) throws Exception {
        StringBuilder out = new StringBuilder();
        for (Certificate c : load(name).getCertificateChain(name)) {
            out.append(pem("CERTIFICATE", c.getEncoded()));
        }
        return out.toString();
    }

    private KeyStore load(String name) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
