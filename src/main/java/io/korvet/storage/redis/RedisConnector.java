package io.korvet.storage.redis;

import io.korvet.storage.StorageException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A pipelined Lettuce connection to Redis, and beside it one that carries transactions alone (see
 * {@link #dispatchTogether}). Commands sent while Redis is unreachable are rejected at once rather than queued,
 * and every failure is translated to a {@link StorageException}.
 */
public final class RedisConnector implements AutoCloseable {

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    /** Written only by {@link #dispatchTogether}, holding its lock; null when not asked for. */
    private final StatefulRedisConnection<byte[], byte[]> transactions;
    private final String description;

    /** Both connections. */
    public RedisConnector(String uri, Duration commandTimeout) {
        this(uri, commandTimeout, true);
    }

    /** The pipelined connection, and the transaction connection when {@code transactions}. */
    public RedisConnector(String uri, Duration commandTimeout, boolean transactions) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(commandTimeout);
        this.description = redisUri.getHost() + ":" + redisUri.getPort();
        // Reconnect quickly once Redis is back: at most a second between attempts.
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        this.connection = client.connect(ByteArrayCodec.INSTANCE);
        this.transactions = transactions ? client.connect(ByteArrayCodec.INSTANCE) : null;
    }

    public RedisAsyncCommands<byte[], byte[]> async() {
        return connection.async();
    }

    /** Sends a command Korvet built itself (its own encoding and output). */
    <T> CompletionStage<T> dispatch(RedisCommand<byte[], byte[], T> command) {
        AsyncCommand<byte[], byte[], T> async = new AsyncCommand<>(command);
        connection.dispatch(async);
        return async;
    }

    /**
     * Sends {@code commands} back to back on the transaction connection, which carries nothing else: a
     * {@code MULTI ... EXEC} group reaches Redis whole, with no other command inside it (a command of the shared
     * connection sent meanwhile would be queued into the transaction). After a reconnect Lettuce may send again
     * the commands Redis had not answered, a group's tail without its MULTI: {@link BatchAppend} is safe then.
     */
    <T> CompletionStage<T> dispatchTogether(List<? extends RedisCommand<byte[], byte[], ?>> leading,
                                            RedisCommand<byte[], byte[], T> last) {
        if (transactions == null) {
            throw new IllegalStateException("this connector has no transaction connection");
        }
        List<RedisCommand<byte[], byte[], ?>> all = new ArrayList<>(leading.size() + 1);
        for (RedisCommand<byte[], byte[], ?> c : leading) {
            all.add(new AsyncCommand<>(c));
        }
        AsyncCommand<byte[], byte[], T> result = new AsyncCommand<>(last);
        all.add(result);
        synchronized (transactions) {
            transactions.dispatch(all);
        }
        return result;
    }

    public String description() {
        return description;
    }

    /** Maps Lettuce's failures onto the storage exceptions the rest of the broker understands. */
    static <T> CompletionStage<T> translate(CompletionStage<T> stage, String what) {
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(translate(error, what));
            }
        });
        return result;
    }

    static Throwable translate(Throwable error, String what) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof StorageException) {
            return e;
        }
        if (e instanceof RedisCommandTimeoutException) {
            return new StorageException.Timeout("Redis did not answer in time for " + what, e);
        }
        if (e instanceof RedisConnectionException
                || (e instanceof RedisException && String.valueOf(e.getMessage()).contains("not connected"))) {
            return new StorageException.Unavailable("Redis is unreachable for " + what + ": " + e.getMessage(), e);
        }
        if (e instanceof RedisException && String.valueOf(e.getMessage()).startsWith("LOADING")) {
            return new StorageException.Unavailable("Redis is loading its data for " + what, e);
        }
        return new StorageException("Redis failed " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        connection.close();
        if (transactions != null) {
            transactions.close();
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
