package io.korvet;

/**
 * A reason the broker cannot start that one line says whole (a port in use, a data directory locked by
 * another broker): logged without a stack trace.
 */
public final class StartupException extends Exception {

    public StartupException(String message) {
        super(message);
    }
}
