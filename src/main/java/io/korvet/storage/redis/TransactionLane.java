package io.korvet.storage.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.EventLoop;
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
    /** The event loop the connection is registered on, when Korvet chose it (null: Lettuce's own). */
    private final EventLoop loop;

    TransactionLane(StatefulRedisConnection<byte[], byte[]> connection) {
        this(connection, null);
    }

    /**
     * A lane whose connection is registered on {@code loop}: each group is then handed to the loop as one task, so
     * that it is written whole and in the order groups were sent. Lettuce writes a group sent from another thread as
     * a task per command, and one sent from the loop itself at once: with both kinds of sender, a group sent from the
     * loop could land between two commands of one sent from elsewhere.
     */
    TransactionLane(StatefulRedisConnection<byte[], byte[]> connection, EventLoop loop) {
        this.connection = connection;
        this.loop = loop;
    }

    /** A lane whose connection is being made: {@link #connected} or {@link #failed} tells how that went. */
    TransactionLane() {
        this.loop = null;
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
            } else if (loop != null) {
                StatefulRedisConnection<byte[], byte[]> c = connection;
                loop.execute(() -> c.dispatch(all));
            } else {
                connection.dispatch(all);
            }
        }
        return result;
    }

    /** The connection, once made (null before). */
    synchronized StatefulRedisConnection<byte[], byte[]> connection() {
        return failed == null ? connection : null;
    }

    synchronized void close() {
        if (connection != null) {
            connection.close();
        }
    }
}
