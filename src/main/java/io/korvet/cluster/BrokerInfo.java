package io.korvet.cluster;

import io.korvet.config.Endpoint;
import java.util.List;

/**
 * A live broker as it registered: its node id, the address it advertises on each of its listeners (the first one
 * is its primary address, for logs), and its rack (null: none).
 */
public record BrokerInfo(int nodeId, List<Endpoint> endpoints, String rack) {

    public BrokerInfo {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("broker " + nodeId + " advertises no listener");
        }
        endpoints = List.copyOf(endpoints);
    }

    /** A broker with one PLAINTEXT listener. */
    public BrokerInfo(int nodeId, String host, int port, String rack) {
        this(nodeId, List.of(new Endpoint(host, port)), rack);
    }

    public String host() {
        return endpoints.get(0).host();
    }

    public int port() {
        return endpoints.get(0).port();
    }

    /** The address this broker advertises on the named listener, or null when it has no such listener. */
    public Endpoint on(String listenerName) {
        for (Endpoint e : endpoints) {
            if (e.listenerName().equals(listenerName)) {
                return e;
            }
        }
        return null;
    }
}
