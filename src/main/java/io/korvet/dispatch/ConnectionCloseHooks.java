package io.korvet.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What runs when a client's connection closes, so that a handler can drop work whose answer nobody will
 * read: a long-polling fetch may wait minutes (or, at the client's request, forever) for records, and
 * without this would keep its place in the partition's listeners, its timer and the broker's count of
 * unanswered requests long after its client left. Work that must finish anyway (an append already sent to
 * Redis) simply does not register. One instance per connection; hooks are removed when the work ends, so
 * that a long-lived connection does not collect one per request.
 */
public final class ConnectionCloseHooks {

    private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Hooks of a connection that never closes, for handlers called outside a connection. */
    public static ConnectionCloseHooks none() {
        return new ConnectionCloseHooks();
    }

    /** Runs {@code hook} once when the connection closes; at once if it already has. */
    public void onClose(Runnable hook) {
        hooks.add(hook);
        if (closed && hooks.remove(hook)) {
            hook.run();
        }
    }

    /** Forgets a hook whose work ended. */
    public void remove(Runnable hook) {
        hooks.remove(hook);
    }

    public boolean closed() {
        return closed;
    }

    /** The connection closed: runs every hook registered, once. */
    void close() {
        closed = true;
        for (Runnable hook : hooks) {
            if (hooks.remove(hook)) {
                hook.run();
            }
        }
    }
}
