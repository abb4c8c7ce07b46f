package io.korvet.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker-wide bound on the bytes of requests read but not yet answered ({@code queued.max.request.bytes}).
 * Past it, connections stop reading from their sockets (TCP pushes back on the clients) until answers free
 * enough room, so that a burst larger than the broker's memory, or a Redis that stalls, cannot run the
 * broker out of memory. A request already read is always accepted, so one frame larger than the bound
 * still makes progress.
 */
public final class RequestMemoryBudget {

    private final long limitBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();

    /** @param limitBytes the bound; zero or negative means unbounded */
    public RequestMemoryBudget(long limitBytes) {
        this.limitBytes = limitBytes <= 0 ? Long.MAX_VALUE : limitBytes;
    }

    public static RequestMemoryBudget unbounded() {
        return new RequestMemoryBudget(-1);
    }

    /** Counts a request just read. */
    public void acquire(long bytes) {
        queuedBytes.addAndGet(bytes);
    }

    /** Gives back the bytes of an answered request, and wakes the connections waiting for room when there is. */
    public void release(long bytes) {
        long now = queuedBytes.addAndGet(-bytes);
        if (now < limitBytes && !waiting.isEmpty()) {
            for (Runnable wake : waiting) {
                if (waiting.remove(wake)) {
                    wake.run();
                }
            }
        }
    }

    /** Whether connections must stop reading. */
    public boolean exhausted() {
        return queuedBytes.get() >= limitBytes;
    }

    /**
     * Registers a connection to be woken once there is room. Returns false if there already is (the caller
     * reads on), so that a release between the caller's check and its registration is never missed.
     */
    public boolean awaitRoom(Runnable wake) {
        waiting.add(wake);
        if (!exhausted() && waiting.remove(wake)) {
            return false;
        }
        return true;
    }

    /** Forgets a connection that closed while waiting. */
    public void cancel(Runnable wake) {
        waiting.remove(wake);
    }

    public long queuedBytes() {
        return queuedBytes.get();
    }

    public long limitBytes() {
        return limitBytes;
    }
}
