package io.korvet.network;

import io.korvet.StartupException;
import io.korvet.codec.KafkaFrameDecoder;
import io.korvet.config.Endpoint;
import io.korvet.dispatch.HandlerRegistry;
import io.korvet.dispatch.RequestDispatcher;
import io.korvet.dispatch.RequestMemoryBudget;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kafka listener: Netty, native epoll on Linux where available. */
public final class KafkaServer {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    private final Endpoint endpoint;
    private final int maxFrameBytes;
    private final HandlerRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final RequestMemoryBudget budget;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;

    public KafkaServer(Endpoint endpoint, int maxFrameBytes, long queuedMaxRequestBytes, HandlerRegistry registry) {
        this.endpoint = endpoint;
        this.maxFrameBytes = maxFrameBytes;
        this.budget = new RequestMemoryBudget(queuedMaxRequestBytes);
        this.registry = registry;
    }

    /**
     * Binds the listener without accepting connections yet (they wait in the backlog until {@link #open()}), so
     * that a port in use stops start-up before anything else is started.
     *
     * @throws StartupException when the address is in use or cannot be bound
     */
    public InetSocketAddress bind() throws InterruptedException, StartupException {
        boolean epoll = Epoll.isAvailable();
        boss = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(0, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.pipeline()
                                .addLast("frames", new KafkaFrameDecoder(maxFrameBytes))
                                .addLast("dispatch", new RequestDispatcher(registry, inFlight, budget));
                    }
                });
        InetSocketAddress bindAddress = endpoint.host().isEmpty()
                ? new InetSocketAddress(endpoint.port())
                : new InetSocketAddress(endpoint.host(), endpoint.port());
        ChannelFuture bound = bootstrap.bind(bindAddress).await();
        if (!bound.isSuccess()) {
            shutdownEventLoops();
            String address = (endpoint.host().isEmpty() ? "*" : endpoint.host()) + ":" + endpoint.port();
            Throwable cause = bound.cause();
            if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
                throw new StartupException(address + " is already in use");
            }
            throw new StartupException("cannot listen on " + address + ": " + cause.getMessage());
        }
        serverChannel = bound.channel();
        log.debug("Bound {} with {} transport", serverChannel.localAddress(), epoll ? "epoll" : "nio");
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Starts accepting the connections on the bound listener. */
    public void open() {
        serverChannel.config().setAutoRead(true);
    }

    /** What the listener holds right now: open connections, unanswered requests and their bytes. */
    public ListenerStats stats() {
        return new ListenerStats(channels.size(), inFlight.get(), budget.queuedBytes(), budget.limitBytes());
    }

    /** Stops accepting, waits (bounded) for in-flight requests to be answered, then closes every connection. */
    public void stop(long graceMillis) {
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            log.warn("Closing connections with {} requests still unanswered", inFlight.get());
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownEventLoops();
        serverChannel = null;
    }

    private void shutdownEventLoops() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
