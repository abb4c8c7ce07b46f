package io.korvet.log;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** A background job of the logs run on a daemon thread of its own, the next run an interval after the previous ends. */
final class PeriodicTask implements AutoCloseable {

    /** One run; a failure is logged and the job runs again at the next interval. */
    interface Run {
        void run() throws InterruptedException;
    }

    private final ScheduledExecutorService executor;
    private final String what;
    private final Logger log;

    PeriodicTask(String threadName, String what, Logger log) {
        this.what = what;
        this.log = log;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    void start(long intervalMs, Run run) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                run.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("{} failed; it runs again in {} ms: {}", what, intervalMs, e.toString());
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
