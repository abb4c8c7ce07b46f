package io.korvet.network;

import io.korvet.StartupException;
import io.korvet.config.ListenerConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context of a listener from Kafka's {@code ssl.*} keys: a keystore (JKS, PKCS12, or PEM as a file or
 * inline), a truststore for client certificates, the enabled protocols and cipher suites, and client
 * authentication. OpenSSL (netty-tcnative) where it is available, the JDK's TLS otherwise.
 */
public final class TlsContexts {

    private TlsContexts() {
    }

    /** The provider TLS listeners use on this machine. */
    public static SslProvider provider() {
        return OpenSsl.isAvailable() && OpenSsl.supportsKeyManagerFactory() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** A listener's TLS context and the identities of the certificates in its keystore. */
    record Built(SslContext context, List<CertificateIdentity> identities) {
    }

    /** @throws StartupException naming the listener and key when a store cannot be read */
    static Built forListener(ListenerConfig listener) throws StartupException {
        Map<String, String> ssl = listener.ssl();
        String where = "listener " + listener.name() + ": ";
        Keys keys;
        try {
            keys = keys(ssl);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new StartupException(where + "cannot read the keystore (ssl.keystore.*): " + message(e));
        }
        SslContextBuilder builder = keys.builder();
        try {
            trust(builder, ssl);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new StartupException(where + "cannot read the truststore (ssl.truststore.*): " + message(e));
        }
        builder.clientAuth(switch (ssl.get("ssl.client.auth").trim().toLowerCase(Locale.ROOT)) {
            case "required" -> ClientAuth.REQUIRE;
            case "requested" -> ClientAuth.OPTIONAL;
            default -> ClientAuth.NONE;
        });
        builder.protocols(list(ssl.get("ssl.enabled.protocols")));
        List<String> ciphers = Arrays.asList(list(ssl.get("ssl.cipher.suites")));
        if (!ciphers.isEmpty()) {
            builder.ciphers(ciphers);
        }
        builder.sslProvider(provider());
        try {
            return new Built(builder.build(), keys.identities());
        } catch (IOException | RuntimeException e) {
            throw new StartupException(where + "cannot set up TLS: " + message(e));
        }
    }

    private record Keys(SslContextBuilder builder, List<CertificateIdentity> identities) {
    }

    private static Keys keys(Map<String, String> ssl) throws IOException, GeneralSecurityException {
        String type = ssl.get("ssl.keystore.type").trim().toUpperCase(Locale.ROOT);
        String keyPassword = blankToNull(ssl.get("ssl.key.password"));
        if (type.equals("PEM")) {
            byte[] chain;
            byte[] key;
            if (!ssl.get("ssl.keystore.certificate.chain").isBlank()) {
                chain = pemText(ssl.get("ssl.keystore.certificate.chain"));
                key = pemText(ssl.get("ssl.keystore.key"));
            } else {
                chain = Files.readAllBytes(Path.of(ssl.get("ssl.keystore.location").trim()));
                key = chain;
            }
            return new Keys(SslContextBuilder.forServer(new ByteArrayInputStream(chain), new ByteArrayInputStream(key), keyPassword),
                    CertificateIdentity.ofPemChain(chain));
        }
        char[] storePassword = chars(ssl.get("ssl.keystore.password"));
        KeyStore store = load(type, ssl.get("ssl.keystore.location"), storePassword);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(ssl.get("ssl.keymanager.algorithm").trim());
        kmf.init(store, keyPassword != null ? keyPassword.toCharArray() : storePassword);
        return new Keys(SslContextBuilder.forServer(kmf), CertificateIdentity.of(store));
    }

    private static void trust(SslContextBuilder builder, Map<String, String> ssl) throws IOException, GeneralSecurityException {
        String type = ssl.get("ssl.truststore.type").trim().toUpperCase(Locale.ROOT);
        String location = ssl.get("ssl.truststore.location").trim();
        String inline = ssl.get("ssl.truststore.certificates");
        if (type.equals("PEM") || !inline.isBlank()) {
            byte[] certs = !inline.isBlank() ? pemText(inline) : location.isEmpty() ? null : Files.readAllBytes(Path.of(location));
            if (certs != null) {
                builder.trustManager(new ByteArrayInputStream(certs));
            }
            return;
        }
        if (location.isEmpty()) {
            return;
        }
        KeyStore store = load(type, location, chars(ssl.get("ssl.truststore.password")));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(ssl.get("ssl.trustmanager.algorithm").trim());
        tmf.init(store);
        builder.trustManager(tmf);
    }

    private static KeyStore load(String type, String location, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location.trim()))) {
            store.load(in, password);
        }
        return store;
    }

    private static final java.util.regex.Pattern PEM_BLOCK =
            java.util.regex.Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", java.util.regex.Pattern.DOTALL);

    /**
     * Inline PEM as Kafka takes it from a properties file, where line breaks may be missing or written as "\n":
     * each block rewritten with its body on lines of its own.
     */
    private static byte[] pemText(String value) {
        java.util.regex.Matcher m = PEM_BLOCK.matcher(value.replace("\\n", "\n"));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            out.append("-----BEGIN ").append(m.group(1)).append("-----\n");
            String body = m.group(2);
            // Headers of an encrypted traditional key (Proc-Type, DEK-Info) keep their lines.
            for (String line : body.split("\n")) {
                if (line.contains(":")) {
                    out.append(line.trim()).append('\n');
                } else {
                    String b64 = line.replaceAll("\\s", "");
                    if (!b64.isEmpty()) {
                        out.append(b64).append('\n');
                    }
                }
            }
            out.append("-----END ").append(m.group(1)).append("-----\n");
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String[] list(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    private static char[] chars(String value) {
        return value == null || value.isEmpty() ? null : value.toCharArray();
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
