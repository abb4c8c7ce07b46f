package io.korvet.storage.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A Redis connection that carries {@code MULTI ... EXEC} groups and nothing else, each group written whole: no
 * command of another group, nor of the shared connection, can land inside one. Groups sent while the connection is
 * still being made wait for it and go out in the order they came.
 */
final class TransactionLane {

    // Guarded by this.
    private StatefulRedisConnection<byte[], byte[]> connection;
    private Throwable failed;
    private final List<List<RedisCommand<byte[], byte[], ?>>> pending = new ArrayList<>();

    TransactionLane(StatefulRedisConnection<byte[], byte[]> connection) {
        this.connection = connection;
    }

    /** A lane whose connection is being made: {@link #connected} or {@link #failed} tells how that went. */
    TransactionLane() {
    }

    synchronized void connected(StatefulRedisConnection<byte[], byte[]> made) {
        connection = made;
        for (List<RedisCommand<byte[], byte[], ?>> group : pending) {
            connection.dispatch(group);
        }
        pending.clear();
    }

    synchronized void failed(Throwable error) {
        failed = error;
        for (List<RedisCommand<byte[], byte[], ?>> group : pending) {
            group.get(group.size() - 1).completeExceptionally(error);
        }
        pending.clear();
    }

    synchronized boolean isFailed() {
        return failed != null;
    }

    <T> CompletionStage<T> dispatch(List<? extends RedisCommand<byte[], byte[], ?>> leading, RedisCommand<byte[], byte[], T> last) {
        List<RedisCommand<byte[], byte[], ?>> all = new ArrayList<>(leading.size() + 1);
        for (RedisCommand<byte[], byte[], ?> c : leading) {
            all.add(new AsyncCommand<>(c));
        }
        AsyncCommand<byte[], byte[], T> result = new AsyncCommand<>(last);
        all.add(result);
        synchronized (this) {
            if (failed != null) {
                result.completeExceptionally(failed);
            } else if (connection == null) {
                pending.add(all);
            } else {
                connection.dispatch(all);
            }
        }
        return result;
    }

    synchronized void close() {
        if (connection != null) {
            connection.close();
        }
    }
}
