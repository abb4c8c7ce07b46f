package io.korvet.dispatch;

import java.net.SocketAddress;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Who sent a request, its header, and the hooks that run when the sender's connection closes.
 */
public record RequestContext(RequestHeader header, SocketAddress clientAddress, ConnectionCloseHooks connection) {

    /** A request from a connection that never closes, for handlers called outside one. */
    public RequestContext(RequestHeader header, SocketAddress clientAddress) {
        this(header, clientAddress, ConnectionCloseHooks.none());
    }

    public short apiVersion() {
        return header.apiVersion();
    }
}
