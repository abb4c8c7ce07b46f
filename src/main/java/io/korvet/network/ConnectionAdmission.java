package io.korvet.network;

import io.korvet.config.ConnectionCaps;
import io.korvet.quota.Throttles;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a new client connection is served, as Kafka's acceptor and {@code ConnectionQuotas} decide: held unread and
 * closed after its throttle time when its address is past its {@code connection_creation_rate} (KIP-612); closed at
 * once past {@code max.connections.per.ip}; made to wait, unread, while the broker holds {@code max.connections}
 * (then the listeners stop accepting too, and the waiting connections are served in turn as others close).
 */
final class ConnectionAdmission {

    private static final Logger log = LoggerFactory.getLogger(ConnectionAdmission.class);

    private record Waiting(SocketChannel channel, Runnable serve) {
    }

    private final ConnectionCounts counts;
    private final Supplier<Throttles> throttles;
    private final Runnable accepting;
    private final Deque<Waiting> waiting = new ArrayDeque<>();

    /**
     * @param throttles the connection_creation_rate quotas in force
     * @param accepting told to look again whether the listeners should accept (after a connection came or went)
     */
    ConnectionAdmission(ConnectionCaps caps, Supplier<Throttles> throttles, Runnable accepting) {
        this.counts = new ConnectionCounts(caps);
        this.throttles = throttles;
        this.accepting = accepting;
    }

    /** Whether the broker holds max.connections: the listeners accept no more meanwhile. */
    boolean full() {
        return counts.full();
    }

    /** Decides on a connection just accepted; {@code serve} sets it up to read requests, now or once it is its turn. */
    void admit(SocketChannel channel, Runnable serve) {
        InetAddress address = channel.remoteAddress().getAddress();
        int throttleMs = throttles.get().connectionThrottleMs(address, System.currentTimeMillis());
        if (throttleMs > 0) {
            log.debug("Delaying closing of connection from {} for {} ms (connection_creation_rate)", address, throttleMs);
            channel.config().setAutoRead(false);
            channel.eventLoop().schedule(() -> channel.close(), throttleMs, TimeUnit.MILLISECONDS);
            return;
        }
        synchronized (this) {
            if (counts.full() || !waiting.isEmpty()) {
                waitInLine(channel, serve, false);
                accepting.run();
                return;
            }
        }
        serveNow(channel, serve);
    }

    /** Puts the connection in line, unread, at its end or (a slot it was given went to another) its head. */
    private synchronized void waitInLine(SocketChannel channel, Runnable serve, boolean first) {
        Waiting w = new Waiting(channel, serve);
        if (first) {
            waiting.addFirst(w);
        } else {
            waiting.add(w);
        }
        channel.config().setAutoRead(false);
        channel.closeFuture().addListener(f -> forget(w));
    }

    private synchronized void forget(Waiting w) {
        waiting.remove(w);
    }

    private void serveNow(SocketChannel channel, Runnable serve) {
        InetAddress address = channel.remoteAddress().getAddress();
        ConnectionCounts.Outcome outcome;
        synchronized (this) {
            // Counted, or put back in line, under the lock that releases take: a release after this sees it waiting.
            outcome = counts.admit(address);
            if (outcome == ConnectionCounts.Outcome.BROKER_FULL) {
                waitInLine(channel, serve, true);
                return;
            }
        }
        if (outcome == ConnectionCounts.Outcome.ADDRESS_FULL) {
            log.info("Rejected connection from {}, address already has the configured maximum of {} connections.",
                    address, counts.limitOf(address));
            channel.close();
            // A waiting connection polled for a slot this one did not take: the next one may have it.
            serveNextWaiting();
            return;
        }
        channel.closeFuture().addListener(f -> released(address));
        accepting.run();
        serve.run();
        channel.config().setAutoRead(true);
    }

    /** A served connection closed: the next waiting one, if any, takes its place. */
    private void released(InetAddress address) {
        synchronized (this) {
            counts.release(address);
        }
        serveNextWaiting();
        accepting.run();
    }

    private void serveNextWaiting() {
        Waiting next;
        synchronized (this) {
            next = counts.full() ? null : waiting.poll();
        }
        if (next != null) {
            next.channel().eventLoop().execute(() -> {
                if (next.channel().isActive()) {
                    serveNow(next.channel(), next.serve());
                } else {
                    serveNextWaiting();
                }
            });
        }
    }
}
