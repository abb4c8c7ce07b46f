package io.korvet.config;

import java.util.Map;

/** How this broker takes part in a cluster of brokers: its rack (null: none) and its heartbeat, Kafka's keys. */
public record MembershipSettings(String rack, long sessionTimeoutMs, long heartbeatIntervalMs, long registryPollMs,
                                 boolean rackAwareReads) {

    /** Kafka's replica selectors Korvet has: the default (none, or the leader's) and the rack-aware one. */
    private static final String LEADER_SELECTOR = "org.apache.kafka.common.replica.LeaderSelector";
    private static final String RACK_AWARE_SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

    static MembershipSettings from(Map<String, String> all) {
        String rack = all.get("broker.rack").trim();
        if (rack.contains(" ")) {
            throw new ConfigException("broker.rack: expected no spaces, got '" + rack + "'");
        }
        long session = KorvetConfig.parseLong("broker.session.timeout.ms", all.get("broker.session.timeout.ms"), 100, Integer.MAX_VALUE);
        long heartbeat = KorvetConfig.parseLong("broker.heartbeat.interval.ms", all.get("broker.heartbeat.interval.ms"), 10,
                Integer.MAX_VALUE);
        if (heartbeat >= session) {
            throw new ConfigException("broker.heartbeat.interval.ms (" + heartbeat + ") must be below broker.session.timeout.ms ("
                    + session + ")");
        }
        String selector = all.get("replica.selector.class").trim();
        if (!selector.isEmpty() && !selector.equals(LEADER_SELECTOR) && !selector.equals(RACK_AWARE_SELECTOR)) {
            throw new ConfigException("replica.selector.class: Korvet has " + RACK_AWARE_SELECTOR + " and " + LEADER_SELECTOR
                    + ", got '" + selector + "'");
        }
        return new MembershipSettings(rack.isEmpty() ? null : rack, session, heartbeat,
                KorvetConfig.parseLong("korvet.registry.poll.ms", all.get("korvet.registry.poll.ms"), 1, Integer.MAX_VALUE),
                selector.equals(RACK_AWARE_SELECTOR));
    }
}
