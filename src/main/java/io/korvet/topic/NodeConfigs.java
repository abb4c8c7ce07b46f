package io.korvet.topic;

import java.util.Map;

/**
 * What this broker does with its own dynamic configs (resource: its node id) beyond the topic defaults: its
 * listeners' TLS stores ({@code listener.name.<listener>.ssl.keystore.*}, {@code .truststore.*}).
 */
public interface NodeConfigs {

    /** Does nothing: a broker without TLS listeners. */
    NodeConfigs NONE = new NodeConfigs() {
        @Override
        public void check(Map<String, String> configs) {
        }

        @Override
        public void apply(Map<String, String> configs) {
        }
    };

    /**
     * Checks the configs as an AlterConfigs would leave them, before they are stored.
     *
     * @throws org.apache.kafka.common.errors.InvalidRequestException naming the key and why, as Kafka answers it
     */
    void check(Map<String, String> configs);

    /** Puts the configs, as stored, in force (a failure is logged; what was in force stays). */
    void apply(Map<String, String> configs);
}
