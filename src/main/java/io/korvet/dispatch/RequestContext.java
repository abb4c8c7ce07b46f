package io.korvet.dispatch;

import io.korvet.security.AclAuthorizer;
import io.korvet.security.ClientSession;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import java.net.SocketAddress;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Who sent a request (its connection's security session: listener, principal), its header, its size on the wire, the
 * hooks that run when the sender's connection closes, and how to mute that connection when the client is throttled.
 */
public record RequestContext(RequestHeader header, SocketAddress clientAddress, ConnectionCloseHooks connection,
                             ClientSession session, AclAuthorizer authorizer, int requestBytes, ConnectionMute mute) {

    private static final org.slf4j.Logger denials = org.slf4j.LoggerFactory.getLogger("io.korvet.security.Denials");

    /** A request from a connection that never closes, on a PLAINTEXT listener, for handlers called outside one. */
    public RequestContext(RequestHeader header, SocketAddress clientAddress) {
        this(header, clientAddress, ConnectionCloseHooks.none(), ClientSession.plaintext(), null, 0, ConnectionMute.NONE);
    }

    /** Whether the sender may do the operation on the resource (always, without an authorizer). */
    public boolean allowed(AclOperation op, ResourceType type, String name) {
        if (authorizer == null) {
            return true;
        }
        boolean allowed = authorizer.authorize(session.principal(), session.host(), op, type, name);
        if (!allowed) {
            denials.info("Principal = {} is Denied operation = {} from host = {} on resource = {}:{} for request = {}",
                    session.principal(), op, session.host(), type, name, header.apiKey());
        }
        return allowed;
    }

    /** As {@link #allowed}, without logging a denial: for listings that leave out what may not be seen. */
    public boolean permits(AclOperation op, ResourceType type, String name) {
        return authorizer == null || authorizer.authorize(session.principal(), session.host(), op, type, name);
    }

    /** As {@link #allowedOnCluster}, without logging a denial: one of alternatives, or a listing. */
    public boolean permitsOnCluster(AclOperation op) {
        return permits(op, ResourceType.CLUSTER, AclAuthorizer.CLUSTER_NAME);
    }

    /** Whether the sender may do the operation on the cluster. */
    public boolean allowedOnCluster(AclOperation op) {
        return allowed(op, ResourceType.CLUSTER, AclAuthorizer.CLUSTER_NAME);
    }

    /** Whether the sender may do the operation on some resource of the type. */
    public boolean allowedOnAny(AclOperation op, ResourceType type) {
        return authorizer == null || authorizer.authorizeAny(session.principal(), session.host(), op, type);
    }

    /** The KIP-430 bit field of what the sender may do on the resource. */
    public int authorizedOperations(ResourceType type, String name) {
        return authorizer == null ? AclAuthorizer.allOperations(type)
                : authorizer.authorizedOperations(session.principal(), session.host(), type, name);
    }

    /** The user a client quota counts the request under: its principal's name ({@code ANONYMOUS} unauthenticated). */
    public String quotaUser() {
        return session.principal().getName();
    }

    /** The client id a client quota counts the request under ({@code ""} when the client sent none). */
    public String quotaClientId() {
        return header.clientId() == null ? "" : header.clientId();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    /** The listener the request came in on, whose addresses the answers carry. */
    public String listenerName() {
        return session.listenerName();
    }
}
