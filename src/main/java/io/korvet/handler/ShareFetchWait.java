package io.korvet.handler;

import io.korvet.dispatch.ConnectionCloseHooks;
import io.korvet.group.share.SharePartitions;
import io.korvet.handler.SharePartitionAccess.Resolved;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.protocol.Errors;

/**
 * A ShareFetch that acquired nothing waits here until one of its partitions gets new records (its leader says so),
 * records of the group's share partition become available again (a release, an expired lock), the wait times out or
 * the client's connection closes; then it fetches again. Never polls Redis.
 */
final class ShareFetchWait {

    private final Timer timer;

    ShareFetchWait(Timer timer) {
        this.timer = timer;
    }

    void await(String groupId, List<Resolved> partitions, SharePartitions shares, ConnectionCloseHooks connection, long remainingNanos,
               Runnable again) {
        AtomicBoolean fired = new AtomicBoolean();
        Timeout[] timeout = new Timeout[1];
        List<SharePartitions.Handle> handles = new ArrayList<>();
        Runnable[] wake = new Runnable[1];
        wake[0] = () -> {
            if (!fired.compareAndSet(false, true)) {
                return;
            }
            if (timeout[0] != null) {
                timeout[0].cancel();
            }
            for (Resolved r : partitions) {
                if (r.log() != null) {
                    r.log().removeListener(wake[0]);
                }
            }
            synchronized (handles) {
                handles.forEach(h -> h.removeListener(wake[0]));
            }
            connection.remove(wake[0]);
            again.run();
        };
        for (Resolved r : partitions) {
            if (r.error() == Errors.NONE && r.log() != null) {
                r.log().onNextAppend(wake[0]);
                shares.open(groupId, r.log()).thenAccept(h -> {
                    synchronized (handles) {
                        handles.add(h);
                    }
                    h.onAvailable(wake[0]);
                    if (fired.get()) {
                        h.removeListener(wake[0]);
                    }
                });
            }
        }
        timeout[0] = timer.newTimeout(t -> wake[0].run(), remainingNanos, TimeUnit.NANOSECONDS);
        connection.onClose(wake[0]);
        if (fired.get()) {
            connection.remove(wake[0]);
        }
    }
}
