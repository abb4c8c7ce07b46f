package io.korvet.group;

import io.korvet.config.ConfigException;
import java.util.Locale;

/**
 * {@code group.consumer.migration.policy}, as in Kafka: whether a live classic group moves to the consumer protocol
 * when a consumer-protocol member joins it (upgrade), and a consumer-protocol group whose last consumer-protocol
 * member left moves back to the classic protocol (downgrade).
 */
public enum MigrationPolicy {
    BIDIRECTIONAL, UPGRADE, DOWNGRADE, DISABLED;

    public static MigrationPolicy of(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("group.consumer.migration.policy: '" + value
                    + "' is not one of bidirectional, upgrade, downgrade, disabled");
        }
    }

    public boolean upgrades() {
        return this == BIDIRECTIONAL || this == UPGRADE;
    }

    public boolean downgrades() {
        return this == BIDIRECTIONAL || this == DOWNGRADE;
    }
}
