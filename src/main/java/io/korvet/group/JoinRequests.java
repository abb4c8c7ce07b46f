package io.korvet.group;

import io.korvet.dispatch.RequestContext;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;

/** Turns a JoinGroup request of any version into the coordinator's {@link ConsumerGroup.JoinRequest}. */
public final class JoinRequests {

    private JoinRequests() {
    }

    public static ConsumerGroup.JoinRequest of(JoinGroupRequestData data, short version, RequestContext context) {
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestProtocol p : data.protocols()) {
            protocols.putIfAbsent(p.name(), p.metadata());
        }
        int rebalanceTimeout = version >= 1 ? data.rebalanceTimeoutMs() : data.sessionTimeoutMs();
        return new ConsumerGroup.JoinRequest(data.memberId() == null ? "" : data.memberId(), data.groupInstanceId(),
                context.header().clientId(), clientHost(context), data.sessionTimeoutMs(), rebalanceTimeout,
                data.protocolType(), protocols, version >= 4, version >= 9);
    }

    /** The client's address as Kafka reports it: a slash and the IP. */
    public static String clientHost(RequestContext context) {
        if (context.clientAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
            return "/" + a.getAddress().getHostAddress();
        }
        return String.valueOf(context.clientAddress());
    }
}
