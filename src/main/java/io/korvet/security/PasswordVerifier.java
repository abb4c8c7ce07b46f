package io.korvet.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks a user name and password against the broker's users, for logins that carry a password (HTTP basic): the
 * users of the PLAIN JAAS lines of the SASL listeners, then the SCRAM credentials in Redis, whose stored key is
 * derived again from the password with the credential's salt and iteration count (RFC 5802). The password is
 * never kept.
 */
public final class PasswordVerifier {

    private final Map<String, String> plainUsers;
    private final List<ScramMechanism> scramMechanisms;
    private final ScramCredentialStore credentials;

    /**
     * @param plainUsers the PLAIN users and their passwords
     * @param scramMechanisms the SCRAM mechanisms enabled on some listener, tried in this order
     */
    public PasswordVerifier(Map<String, String> plainUsers, List<ScramMechanism> scramMechanisms, ScramCredentialStore credentials) {
        this.plainUsers = Map.copyOf(plainUsers);
        this.scramMechanisms = List.copyOf(scramMechanisms);
        this.credentials = credentials;
    }

    /** Completes with null when the password is the user's, else with why not (for the log, never the password). */
    public CompletionStage<String> check(String user, String password) {
        if (user.isEmpty() || password.isEmpty()) {
            return CompletableFuture.completedFuture("no user name or no password");
        }
        String plain = plainUsers.get(user);
        if (plain != null) {
            return CompletableFuture.completedFuture(MessageDigest.isEqual(plain.getBytes(StandardCharsets.UTF_8),
                    password.getBytes(StandardCharsets.UTF_8)) ? null : "wrong password");
        }
        return checkScram(user, password, 0);
    }

    /**
     * The key derivations (thousands of HMACs each) run here, one at a time, with a bounded queue: off the Redis
     * client's I/O threads, and a flood of logins cannot take more than one core.
     */
    private static final java.util.concurrent.ExecutorService DERIVATIONS = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
            java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(64), r -> {
                Thread t = new Thread(r, "korvet-password-check");
                t.setDaemon(true);
                return t;
            });
    private static final byte[] DECOY_SALT = "korvet-decoy-salt".getBytes(StandardCharsets.UTF_8);

    private CompletionStage<String> derive(java.util.function.Supplier<String> check) {
        try {
            return CompletableFuture.supplyAsync(check, DERIVATIONS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture("too many logins being checked at once");
        }
    }

    private CompletionStage<String> checkScram(String user, String password, int index) {
        if (index >= scramMechanisms.size()) {
            // As long as a real check, so that the answer's time does not tell which users exist.
            return derive(() -> {
                ScramMechanism.SCRAM_SHA_256.saltedPassword(password, DECOY_SALT, ScramMechanism.MIN_ITERATIONS);
                return "unknown user";
            });
        }
        ScramMechanism mechanism = scramMechanisms.get(index);
        return credentials.get(mechanism, user).thenCompose(stored -> {
            if (stored == null) {
                return checkScram(user, password, index + 1);
            }
            return derive(() -> {
                byte[] salted = mechanism.saltedPassword(password, stored.salt(), stored.iterations());
                ScramCredential derived = mechanism.credential(stored.salt(), salted, stored.iterations());
                return MessageDigest.isEqual(derived.storedKey(), stored.storedKey()) ? null : "wrong password";
            });
        });
    }
}
