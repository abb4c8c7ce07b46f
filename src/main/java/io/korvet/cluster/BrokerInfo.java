package io.korvet.cluster;

/** A live broker as it registered: its node id, the address it advertises to clients, and its rack (null: none). */
public record BrokerInfo(int nodeId, String host, int port, String rack) {
}
