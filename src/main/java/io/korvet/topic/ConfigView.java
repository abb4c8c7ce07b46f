package io.korvet.topic;

import java.util.List;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * One config as DescribeConfigs reports it: the value in force (null when unset or sensitive), where it
 * comes from, and its synonyms in Kafka's order of precedence (empty unless asked for).
 */
public record ConfigView(String name, String value, ConfigSource source, boolean readOnly, boolean sensitive,
                         ConfigType type, List<Synonym> synonyms) {

    public record Synonym(String name, String value, ConfigSource source) {
    }
}
