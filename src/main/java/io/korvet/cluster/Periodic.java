package io.korvet.cluster;

import io.korvet.Failures;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task the broker's timer runs every period until closed or until the timer stops (the broker is stopping): the
 * next run a period after the previous one completed, so that a slow run is never overlapped by the next; a failure
 * is logged and the next run still comes. For the coordinators' sweeps (offset expiry, transaction timeouts, share
 * locks); the logs' blocking jobs have threads of their own (io.korvet.log.PeriodicTask).
 */
public final class Periodic implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    private final Timer timer;
    private final long periodMs;
    private final Supplier<CompletionStage<?>> task;
    private final String what;
    private volatile Timeout next;
    private volatile boolean closed;

    private Periodic(Timer timer, long periodMs, Supplier<CompletionStage<?>> task, String what) {
        this.timer = timer;
        this.periodMs = periodMs;
        this.task = task;
        this.what = what;
    }

    /** Runs {@code task} every {@code periodMs}; null (nothing runs) without a timer. */
    public static Periodic every(Timer timer, long periodMs, String what, Runnable task) {
        return everyAfter(timer, periodMs, what, () -> {
            task.run();
            return CompletableFuture.completedFuture(null);
        });
    }

    /** Runs the asynchronous {@code task} {@code periodMs} after each run completes; null without a timer. */
    public static Periodic everyAfter(Timer timer, long periodMs, String what, Supplier<CompletionStage<?>> task) {
        if (timer == null) {
            return null;
        }
        Periodic p = new Periodic(timer, periodMs, task, what);
        p.schedule();
        return p;
    }

    private void schedule() {
        if (closed) {
            return;
        }
        try {
            next = timer.newTimeout(t -> run(), periodMs, TimeUnit.MILLISECONDS);
        } catch (IllegalStateException timerStopped) {
            // The broker is stopping.
        }
    }

    private void run() {
        CompletionStage<?> done;
        try {
            done = task.get();
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((v, e) -> {
            if (e != null) {
                Throwable cause = Failures.cause(e);
                log.warn("{} failed; it runs again in {} ms: {}", what, periodMs, cause.toString());
            }
            schedule();
        });
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
