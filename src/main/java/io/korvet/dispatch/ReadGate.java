package io.korvet.dispatch;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;

/**
 * Why a client connection stops reading requests, and its socket's reading switched to match: the connection is
 * closing, it has too many unanswered requests of its own, the broker's request memory budget is spent, or a client
 * quota throttles it (KIP-219). It reads while none holds. Used on the connection's event loop only.
 */
final class ReadGate {

    private final Channel channel;
    /** Set once the connection must close: it reads no more and closes when earlier requests are answered. */
    private boolean closing;
    /** Set while this connection has too many unanswered requests of its own. */
    private boolean tooManyInFlight;
    /** Set while the broker's request memory budget is spent and this connection waits for room. */
    private boolean waitingForRoom;
    /** Set while a client quota throttles this connection: until {@link #mutedUntilNanos}. */
    private boolean muted;
    private long mutedUntilNanos;

    ReadGate(Channel channel) {
        this.channel = channel;
    }

    boolean closing() {
        return closing;
    }

    /** The connection reads no more, for good. */
    void close() {
        closing = true;
        apply();
    }

    boolean tooManyInFlight() {
        return tooManyInFlight;
    }

    void tooManyInFlight(boolean value) {
        tooManyInFlight = value;
        apply();
    }

    boolean waitingForRoom() {
        return waitingForRoom;
    }

    void waitingForRoom(boolean value) {
        waitingForRoom = value;
        apply();
    }

    /** The connection reads nothing for {@code ms} from now (a longer mute already in force stays). */
    void muteFor(int ms) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        if (muted && until - mutedUntilNanos <= 0) {
            return;
        }
        muted = true;
        mutedUntilNanos = until;
        apply();
        channel.eventLoop().schedule(this::unmuteIfDue, ms, TimeUnit.MILLISECONDS);
    }

    private void unmuteIfDue() {
        if (muted && System.nanoTime() - mutedUntilNanos >= 0) {
            muted = false;
            apply();
        }
    }

    private void apply() {
        boolean read = !closing && !tooManyInFlight && !waitingForRoom && !muted;
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }
}
