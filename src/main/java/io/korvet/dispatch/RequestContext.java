package io.korvet.dispatch;

import java.net.SocketAddress;
import org.apache.kafka.common.requests.RequestHeader;

/** Who sent a request, and its header. */
public record RequestContext(RequestHeader header, SocketAddress clientAddress) {

    public short apiVersion() {
        return header.apiVersion();
    }
}
