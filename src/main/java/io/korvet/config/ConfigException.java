package io.korvet.config;

/** A setting that is unknown or malformed; start-up stops with its message. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
