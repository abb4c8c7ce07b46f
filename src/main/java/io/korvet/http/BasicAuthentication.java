package io.korvet.http;

import io.korvet.security.PasswordVerifier;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP basic authentication (RFC 7617) against the broker's own users ({@link PasswordVerifier}): the same user
 * names and passwords a Kafka client logs in with over SASL, and the same principal, {@code User:<name>}, for the
 * ACLs. A header that passed is remembered for a short while (as a hash, never the password), since a browser sends
 * it with every request and a SCRAM check derives the key anew each time.
 */
final class BasicAuthentication {

    private static final Logger log = LoggerFactory.getLogger(BasicAuthentication.class);
    static final String CHALLENGE = "Basic realm=\"Korvet\", charset=\"UTF-8\"";
    private static final long REMEMBER_NANOS = 30_000_000_000L;
    private static final int REMEMBERED = 256;

    private final PasswordVerifier verifier;
    /** SHA-256 of a header that failed, and when: answered at once for a while, without checking again. */
    private final Map<String, Long> failed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** SHA-256 of a header that passed, as hex, and when it passed; oldest first. */
    private final Map<String, Long> passed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    BasicAuthentication(PasswordVerifier verifier) {
        this.verifier = verifier;
    }

    /** Completes with the principal, or with null when the header is missing or does not log in. */
    CompletionStage<KafkaPrincipal> authenticate(String header, String from) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return CompletableFuture.completedFuture(null);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            log.warn("Failed HTTP authentication from {}: a malformed basic authorization header", from);
            return CompletableFuture.completedFuture(null);
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            log.warn("Failed HTTP authentication from {}: no ':' in the basic credentials", from);
            return CompletableFuture.completedFuture(null);
        }
        String user = decoded.substring(0, colon);
        String key = digest(header);
        synchronized (passed) {
            Long at = passed.get(key);
            if (at != null && System.nanoTime() - at < REMEMBER_NANOS) {
                return CompletableFuture.completedFuture(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user));
            }
            Long failedAt = failed.get(key);
            if (failedAt != null && System.nanoTime() - failedAt < REMEMBER_NANOS) {
                return CompletableFuture.completedFuture(null);
            }
        }
        return verifier.check(user, decoded.substring(colon + 1)).handle((why, error) -> {
            if (error != null) {
                log.warn("HTTP authentication of user {} from {} could not be checked: {}", user, from, error.getMessage());
                return null;
            }
            if (why != null) {
                log.warn("Failed HTTP authentication from {}: user {}: {}", from, user, why);
                if (!why.startsWith("too many")) {
                    synchronized (passed) {
                        failed.put(key, System.nanoTime());
                    }
                }
                return null;
            }
            synchronized (passed) {
                passed.put(key, System.nanoTime());
            }
            return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user);
        });
    }

    private static String digest(String header) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(header.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
