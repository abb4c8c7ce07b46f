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

    private CompletionStage<String> checkScram(String user, String password, int index) {
        if (index >= scramMechanisms.size()) {
            return CompletableFuture.completedFuture("unknown user");
        }
        ScramMechanism mechanism = scramMechanisms.get(index);
        return credentials.get(mechanism, user).thenCompose(stored -> {
            if (stored == null) {
                return checkScram(user, password, index + 1);
            }
            // Thousands of HMACs: off the Redis client's I/O thread that completed the read.
            return CompletableFuture.supplyAsync(() -> {
                byte[] salted = mechanism.saltedPassword(password, stored.salt(), stored.iterations());
                ScramCredential derived = mechanism.credential(stored.salt(), salted, stored.iterations());
                return MessageDigest.isEqual(derived.storedKey(), stored.storedKey()) ? null : "wrong password";
            });
        });
    }
}
