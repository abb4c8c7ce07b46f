package io.korvet.security;

import io.korvet.config.ListenerConfig;
import java.net.SocketAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * One connection's security state: the listener it came in on, who it is (its principal), and on a SASL listener
 * where it stands in authentication (KIP-43 handshake, then tokens, then authenticated, possibly re-authenticating
 * as KIP-368 has it). Changed only by the SASL handlers, read by the dispatcher before each request.
 */
public final class ClientSession {

    /** Where a connection stands. */
    public enum State {
        /** A SASL connection that has not yet chosen a mechanism: only ApiVersions and SaslHandshake may come. */
        HANDSHAKE,
        /** A mechanism is chosen: only its tokens may come (SaslAuthenticate, or raw tokens after SaslHandshake v0). */
        AUTHENTICATE,
        /** Authenticated (every connection of a listener without SASL is from the start). */
        AUTHENTICATED,
        /** Authentication failed: nothing more is processed, the connection closes. */
        FAILED
    }

    private final ListenerConfig listener;
    private final SocketAddress clientAddress;
    private volatile KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;
    private volatile State state;
    private volatile String mechanism;
    private volatile SaslMechanismServer server;
    private volatile boolean rawTokens;
    private volatile boolean reauthenticating;
    private volatile boolean supportsReauthentication;
    private volatile boolean expires;
    private volatile long expiresAtNanos;

    public ClientSession(ListenerConfig listener, SocketAddress clientAddress) {
        this.listener = listener;
        this.clientAddress = clientAddress;
        this.state = listener.sasl() ? State.HANDSHAKE : State.AUTHENTICATED;
    }

    /** The default PLAINTEXT listener, parsed once. */
    private static final class Plaintext {
        static final ListenerConfig LISTENER = io.korvet.config.KorvetConfig.defaults().listeners().get(0);
    }

    /** A session of the default PLAINTEXT listener, for connections without a listener's settings and handlers called outside one. */
    public static ClientSession plaintext() {
        return new ClientSession(Plaintext.LISTENER, null);
    }

    public ListenerConfig listener() {
        return listener;
    }

    public String listenerName() {
        return listener.name();
    }

    public SocketAddress clientAddress() {
        return clientAddress;
    }

    /** The client's IP address as ACL host filters name it. */
    public String host() {
        return clientAddress instanceof java.net.InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : "*";
    }

    public KafkaPrincipal principal() {
        return principal;
    }

    public State state() {
        return state;
    }

    public String mechanism() {
        return mechanism;
    }

    /** After SaslHandshake v0: the tokens come as raw size-prefixed frames, not as SaslAuthenticate requests. */
    public boolean rawTokens() {
        return state == State.AUTHENTICATE && rawTokens;
    }

    public boolean reauthenticating() {
        return reauthenticating;
    }

    /** The principal of a client certificate (TLS without SASL). */
    public void certificatePrincipal(KafkaPrincipal p) {
        if (!listener.sasl()) {
            principal = p;
        }
    }

    /**
     * Why a request of this API may not be processed now (the connection then closes, nothing processed), or null
     * when it may.
     */
    public String refusal(ApiKeys api, long nowNanos) {
        return switch (state) {
            case HANDSHAKE -> api == ApiKeys.API_VERSIONS || api == ApiKeys.SASL_HANDSHAKE ? null
                    : "unexpected " + api + " request before SASL authentication (only ApiVersions and SaslHandshake may come first)";
            case AUTHENTICATE -> api == ApiKeys.SASL_AUTHENTICATE && !rawTokens ? null
                    : "unexpected " + api + " request during SASL authentication";
            case FAILED -> "authentication failed";
            case AUTHENTICATED -> expires && nowNanos - expiresAtNanos > 0 && api != ApiKeys.SASL_HANDSHAKE
                    ? "the authenticated session of " + principal + " expired (connections.max.reauth.ms) and the client did"
                            + " not re-authenticate"
                    : null;
        };
    }

    /** Whether an authenticated client may start over with SaslHandshake (KIP-368 re-authentication). */
    public boolean mayReauthenticate() {
        return state == State.AUTHENTICATED && listener.sasl() && supportsReauthentication;
    }

    /** SaslHandshake accepted: the tokens of this mechanism come next. */
    public void beginAuthentication(String chosen, SaslMechanismServer mechanismServer, boolean raw) {
        reauthenticating = state == State.AUTHENTICATED;
        mechanism = chosen;
        server = mechanismServer;
        rawTokens = raw;
        state = State.AUTHENTICATE;
    }

    public SaslMechanismServer server() {
        return server;
    }

    /** Noted on each SaslAuthenticate: v1 and later clients re-authenticate when told a session lifetime. */
    public void sawAuthenticateVersion(short version) {
        if (version > 0) {
            supportsReauthentication = true;
        }
    }

    /**
     * Authentication done. Returns the session's lifetime in ms (0: unbounded), which a v1+ client is told so that it
     * re-authenticates in time.
     */
    public long authenticated(KafkaPrincipal who, long nowNanos) {
        principal = who;
        server = null;
        reauthenticating = false;
        state = State.AUTHENTICATED;
        long lifetime = listener.reauthMsOf(mechanism);
        expires = lifetime > 0;
        expiresAtNanos = nowNanos + Math.min(lifetime, Long.MAX_VALUE / 4_000_000L) * 1_000_000L;
        return lifetime;
    }

    public void fail() {
        server = null;
        state = State.FAILED;
    }

    public boolean failed() {
        return state == State.FAILED;
    }
}
