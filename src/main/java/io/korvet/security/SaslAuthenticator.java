package io.korvet.security;

import io.korvet.Failures;
import io.korvet.config.JaasEntry;
import io.korvet.config.ListenerConfig;
import io.netty.util.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SASL on a connection, as Kafka's brokers run it (KIP-43, KIP-152, KIP-368): SaslHandshake picks a mechanism of the
 * listener's, then its tokens come in SaslAuthenticate requests (or raw frames after a v0 handshake) until the
 * mechanism completes. A failure is logged (address, user, mechanism, reason; never a password) and answered after
 * {@code connection.failed.authentication.delay.ms}; the connection then closes.
 */
public final class SaslAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(SaslAuthenticator.class);

    private final Timer timer;
    private final long failureDelayMs;
    private volatile ScramCredentialStore credentials;

    public SaslAuthenticator(Timer timer, long failureDelayMs) {
        this.timer = timer;
        this.failureDelayMs = failureDelayMs;
    }

    /** The SCRAM credentials, known once Redis is connected (before the listeners accept connections). */
    public void useCredentials(ScramCredentialStore store) {
        this.credentials = store;
    }

    /** The answer to SaslHandshake. */
    public record Handshake(Errors error, List<String> mechanisms) {
    }

    /** The answer to one token: an error (and its message), or the next challenge and, when done, the session lifetime. */
    public record TokenAnswer(Errors error, String message, byte[] token, long sessionLifetimeMs) {
    }

    public CompletionStage<Handshake> handshake(ClientSession session, String mechanism, short version) {
        ListenerConfig listener = session.listener();
        if (!listener.sasl()) {
            return CompletableFuture.completedFuture(new Handshake(Errors.ILLEGAL_SASL_STATE, List.of()));
        }
        boolean reauth = session.state() == ClientSession.State.AUTHENTICATED;
        if (reauth && !session.mayReauthenticate()) {
            return CompletableFuture.completedFuture(new Handshake(Errors.ILLEGAL_SASL_STATE, listener.saslMechanisms()));
        }
        if (!listener.saslMechanisms().contains(mechanism)) {
            log.warn("Failed authentication from {} on listener {}: mechanism {} is not enabled (enabled: {})",
                    session.clientAddress(), listener.name(), mechanism, listener.saslMechanisms());
            session.fail();
            return delayed(new Handshake(Errors.UNSUPPORTED_SASL_MECHANISM, listener.saslMechanisms()));
        }
        SaslMechanismServer server;
        if (reauth && !mechanism.equals(session.mechanism())) {
            server = new Refusal("SASL mechanism '" + mechanism + "' requested by client is not supported for"
                    + " re-authentication of mechanism '" + session.mechanism() + "'");
        } else if (mechanism.equals("PLAIN")) {
            JaasEntry jaas = listener.jaas().get("PLAIN");
            server = new PlainServer(jaas.plainUsers());
        } else {
            server = new ScramServer(ScramMechanism.forName(mechanism), credentials);
        }
        session.beginAuthentication(mechanism, server, version == 0);
        return CompletableFuture.completedFuture(new Handshake(Errors.NONE, listener.saslMechanisms()));
    }

    /**
     * One client token. The session must be in {@link ClientSession.State#AUTHENTICATE} (the dispatcher lets
     * nothing else through); after a SaslAuthenticate of another state, ILLEGAL_SASL_STATE as Kafka answers.
     *
     * @param version the SaslAuthenticate version, or -1 for a raw token after SaslHandshake v0
     */
    public CompletionStage<TokenAnswer> authenticate(ClientSession session, byte[] token, short version) {
        SaslMechanismServer server = session.server();
        if (session.state() != ClientSession.State.AUTHENTICATE || server == null) {
            return CompletableFuture.completedFuture(new TokenAnswer(Errors.ILLEGAL_SASL_STATE,
                    session.listener().sasl() ? "SaslAuthenticate request received after successful authentication"
                            : "SaslAuthenticate request received on a listener without SASL", new byte[0], 0));
        }
        session.sawAuthenticateVersion(version);
        return server.evaluate(token).handle((challenge, error) -> {
            if (error != null) {
                return failed(session, server, error);
            }
            if (!server.complete()) {
                return CompletableFuture.completedFuture(new TokenAnswer(Errors.NONE, null, challenge, 0));
            }
            KafkaPrincipal principal = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, server.user());
            if (session.reauthenticating() && !principal.equals(session.principal())) {
                return failed(session, server, new AuthenticationFailure(String.format(
                        "Cannot change principals during re-authentication from %s: %s", session.principal(), principal),
                        "re-authenticated as another user"));
            }
            boolean reauth = session.reauthenticating();
            long lifetime = session.authenticated(principal, System.nanoTime());
            if (reauth) {
                log.debug("{} re-authenticated from {} with {}", principal, session.clientAddress(), session.mechanism());
            } else {
                log.debug("{} authenticated from {} with {} on listener {}", principal, session.clientAddress(),
                        session.mechanism(), session.listenerName());
            }
            return CompletableFuture.completedFuture(new TokenAnswer(Errors.NONE, null, challenge, lifetime));
        }).thenCompose(stage -> stage);
    }

    private CompletionStage<TokenAnswer> failed(ClientSession session, SaslMechanismServer server, Throwable error) {
        Throwable cause = Failures.cause(error);
        String message;
        String reason;
        if (cause instanceof AuthenticationFailure f) {
            message = f.getMessage();
            reason = f.reason();
        } else {
            message = "Authentication failed: " + session.mechanism() + " could not complete";
            reason = cause.toString();
        }
        log.warn("Failed {} from {} on listener {}: user '{}', mechanism {}: {}",
                session.reauthenticating() ? "re-authentication" : "authentication", session.clientAddress(),
                session.listenerName(), server.user() == null ? "" : server.user(), session.mechanism(), reason);
        session.fail();
        return delayed(new TokenAnswer(Errors.SASL_AUTHENTICATION_FAILED, message, new byte[0], 0));
    }

    private <T> CompletionStage<T> delayed(T answer) {
        if (failureDelayMs <= 0) {
            return CompletableFuture.completedFuture(answer);
        }
        CompletableFuture<T> later = new CompletableFuture<>();
        timer.newTimeout(t -> later.complete(answer), failureDelayMs, TimeUnit.MILLISECONDS);
        return later;
    }

    /** The mechanism of a re-authentication that switched mechanisms: refuses its first token, as Kafka does. */
    private static final class Refusal implements SaslMechanismServer {
        private final String message;

        Refusal(String message) {
            this.message = message;
        }

        @Override
        public CompletionStage<byte[]> evaluate(byte[] clientToken) {
            return CompletableFuture.failedFuture(new AuthenticationFailure(message, message));
        }

        @Override
        public boolean complete() {
            return false;
        }

        @Override
        public String user() {
            return null;
        }
    }

}
