package io.korvet.dispatch;

/** Stops a connection from reading requests for a while: how a throttled client is held back (KIP-219). */
@FunctionalInterface
public interface ConnectionMute {

    /** For requests handled outside a connection. */
    ConnectionMute NONE = ms -> { };

    /** The connection reads no request for {@code ms} milliseconds from now (a longer mute already in force stays). */
    void muteFor(int ms);
}
