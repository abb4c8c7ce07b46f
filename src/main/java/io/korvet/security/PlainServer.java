package io.korvet.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * SASL/PLAIN (RFC 4616) against the users of the listener's PlainLoginModule JAAS line: one token,
 * {@code [authzid] NUL user NUL password}, checked in constant time.
 */
public final class PlainServer implements SaslMechanismServer {

    private static final String INVALID = "Authentication failed: Invalid username or password";

    private final Map<String, String> users;
    private volatile String user;
    private volatile boolean complete;

    public PlainServer(Map<String, String> users) {
        this.users = users;
    }

    @Override
    public CompletionStage<byte[]> evaluate(byte[] token) {
        if (complete) {
            return CompletableFuture.failedFuture(new AuthenticationFailure("Authentication failed: PLAIN takes one token",
                    "a second PLAIN token"));
        }
        String message = new String(token, StandardCharsets.UTF_8);
        int first = message.indexOf('\0');
        int second = first < 0 ? -1 : message.indexOf('\0', first + 1);
        if (second < 0 || message.indexOf('\0', second + 1) >= 0) {
            return CompletableFuture.failedFuture(new AuthenticationFailure(
                    "Invalid SASL/PLAIN response: expected 3 tokens", "a malformed PLAIN token"));
        }
        String authzid = message.substring(0, first);
        String claimed = message.substring(first + 1, second);
        String password = message.substring(second + 1);
        user = claimed;
        if (claimed.isEmpty()) {
            return CompletableFuture.failedFuture(new AuthenticationFailure("Authentication failed: username not specified",
                    "no user name"));
        }
        if (password.isEmpty()) {
            return CompletableFuture.failedFuture(new AuthenticationFailure("Authentication failed: password not specified",
                    "no password"));
        }
        if (!authzid.isEmpty() && !authzid.equals(claimed)) {
            return CompletableFuture.failedFuture(new AuthenticationFailure(
                    "Authentication failed: Client requested an authorization id that is different from username",
                    "authorization id differs from the user name"));
        }
        String expected = users.get(claimed);
        boolean match = MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
                (expected == null ? "" : expected).getBytes(StandardCharsets.UTF_8));
        if (expected == null || !match) {
            return CompletableFuture.failedFuture(new AuthenticationFailure(INVALID,
                    expected == null ? "unknown user" : "wrong password"));
        }
        complete = true;
        return CompletableFuture.completedFuture(new byte[0]);
    }

    @Override
    public boolean complete() {
        return complete;
    }

    @Override
    public String user() {
        return user;
    }
}
