package io.korvet.storage;

import java.util.Locale;

/**
 * How a topic's partition streams hold its records ({@code korvet.stream.format}), fixed when the topic is created.
 */
public enum StreamFormat {
    /** One entry per produced record batch: its v2 bytes as Fetch returns them, and a few readable fields. */
    BATCH,
    /** One readable entry per record (key, value, headers, timestamp), for Redis applications that read them. */
    RECORD;

    /** The name in configs and in the topic registry. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format a config value names, or null when it names none. */
    public static StreamFormat parse(String value) {
        if (value == null) {
            return null;
        }
        for (StreamFormat f : values()) {
            if (f.configValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        return null;
    }
}
