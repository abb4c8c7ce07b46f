package io.korvet.dispatch;

import io.korvet.security.ClientSession;
import java.net.SocketAddress;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Who sent a request (its connection's security session: listener, principal), its header, and the hooks that run
 * when the sender's connection closes.
 */
public record RequestContext(RequestHeader header, SocketAddress clientAddress, ConnectionCloseHooks connection,
                             ClientSession session) {

    /** A request from a connection that never closes, on a PLAINTEXT listener, for handlers called outside one. */
    public RequestContext(RequestHeader header, SocketAddress clientAddress) {
        this(header, clientAddress, ConnectionCloseHooks.none(), ClientSession.anonymous(
                io.korvet.config.KorvetConfig.defaults().listeners().get(0)));
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    /** The listener the request came in on, whose addresses the answers carry. */
    public String listenerName() {
        return session.listenerName();
    }
}
