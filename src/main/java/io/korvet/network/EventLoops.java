package io.korvet.network;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The broker's network threads: one that accepts connections and the event loops that serve them
 * ({@code korvet.network.threads}; by default two per core, as Netty sizes them). They outlive the Kafka listeners:
 * the Redis connections that carry appends run on the same loops (so that a request, its Redis round trip and its
 * response stay on one thread), and those close after the listeners have drained.
 */
public final class EventLoops {

    private final boolean epoll;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<EventLoop> loops;

    private EventLoops(boolean epoll, int threads) {
        this.epoll = epoll;
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("korvet-accept"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("korvet-network"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<EventLoop> all = new ArrayList<>();
        for (EventExecutor e : workers) {
            all.add((EventLoop) e);
        }
        this.loops = List.copyOf(all);
    }

    /** Epoll where the native transport loads (Linux), NIO elsewhere; two threads per core. */
    public static EventLoops create() {
        return create(0);
    }

    /** Epoll where the native transport loads (Linux), NIO elsewhere, with {@code threads} network threads (0: two per core). */
    public static EventLoops create(int threads) {
        return new EventLoops(Epoll.isAvailable(), threads);
    }

    /** Whether the loops use the epoll transport (else NIO). */
    public boolean epoll() {
        return epoll;
    }

    EventLoopGroup boss() {
        return boss;
    }

    EventLoopGroup workers() {
        return workers;
    }

    /** Each loop that serves connections, in a fixed order. */
    public List<EventLoop> loops() {
        return loops;
    }

    /** Stops every thread, waiting (bounded) for the tasks already queued. */
    public void shutdown() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
