package io.korvet.security;

/**
 * A login refused. Its message is what the client is told, which never says whether the user exists; {@link #reason()}
 * is what the broker logs (never a password).
 */
public final class AuthenticationFailure extends RuntimeException {

    private final String reason;

    public AuthenticationFailure(String clientMessage, String reason) {
        super(clientMessage, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
