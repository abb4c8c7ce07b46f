package io.korvet.group.share;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A task the broker's timer runs every period until closed; a failure is logged and the next run still comes. */
final class Periodic implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    private final Timer timer;
    private final long periodMs;
    private final Runnable task;
    private final String what;
    private volatile Timeout next;
    private volatile boolean closed;

    private Periodic(Timer timer, long periodMs, Runnable task, String what) {
        this.timer = timer;
        this.periodMs = periodMs;
        this.task = task;
        this.what = what;
    }

    /** Runs {@code task} every {@code periodMs}; null (nothing runs) without a timer. */
    static Periodic every(Timer timer, long periodMs, String what, Runnable task) {
        if (timer == null) {
            return null;
        }
        Periodic p = new Periodic(timer, periodMs, task, what);
        p.schedule();
        return p;
    }

    private void schedule() {
        next = timer.newTimeout(t -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("{} failed: {}", what, e.toString());
            } finally {
                if (!closed) {
                    schedule();
                }
            }
        }, periodMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        Timeout t = next;
        if (t != null) {
            t.cancel();
        }
    }
}
