package io.korvet.storage.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * What the broker's metrics learn of its Redis traffic: the completion latency of every command it sends, by command
 * name, and every Redis failure the storage layer translates, by kind. Kept free of any metrics library.
 */
public interface RedisCommandObserver {

    /** Observes nothing. */
    RedisCommandObserver NONE = new RedisCommandObserver() {
        @Override
        public LongConsumer latencies(String command) {
            return nanos -> { };
        }

        @Override
        public void failed(Failure kind) {
        }
    };

    /**
     * Where the completion latencies (nanoseconds, from writing the command to reading its whole reply) of the
     * command named {@code command} (GET, XRANGE, EVALSHA, MULTI, EXEC, ...) go. Asked once per name and connector;
     * the sink is kept and called from Redis connections' I/O threads.
     */
    LongConsumer latencies(String command);

    /** A Redis failure, counted once where it is translated to a storage exception. */
    void failed(Failure kind);

    /** Kinds of Redis failures. */
    enum Failure {
        /** No reply within the command timeout: the outcome is unknown. */
        TIMEOUT,
        /** Not connected, the connection lost or refused: rejected or cut off before a reply. */
        CONNECTION,
        /** Redis answered with an error (ERR, NOSCRIPT, LOADING, OOM, BUSY, READONLY, ...). */
        REPLY,
        /** Anything else Lettuce failed with (a reply that could not be read, a redirection loop, ...). */
        OTHER;

        private final String label = name().toLowerCase(Locale.ROOT);

        /** The kind as a metric label: {@code timeout}, {@code connection}, {@code reply}, {@code other}. */
        public String label() {
            return label;
        }

        /** The kind of a failure of Lettuce's (unwrapped from any {@code CompletionException}). */
        static Failure of(Throwable e) {
            if (e instanceof RedisCommandTimeoutException) {
                return TIMEOUT;
            }
            if (e instanceof RedisConnectionException) {
                return CONNECTION;
            }
            if (e instanceof RedisCommandExecutionException) {
                return REPLY;
            }
            if (e instanceof RedisException) {
                // Lettuce's endpoint: "Currently not connected. Commands are rejected.", "Connection closed",
                // "Connection disconnected", "Connection is closed".
                String message = String.valueOf(e.getMessage());
                if (message.contains("not connected") || message.startsWith("Connection closed")
                        || message.startsWith("Connection disconnected") || message.startsWith("Connection is closed")) {
                    return CONNECTION;
                }
            }
            return OTHER;
        }
    }
}
