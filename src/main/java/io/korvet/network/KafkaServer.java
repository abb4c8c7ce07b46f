package io.korvet.network;

import io.korvet.StartupException;
import io.korvet.codec.KafkaFrameDecoder;
import io.korvet.config.Endpoint;
import io.korvet.config.ListenerConfig;
import io.korvet.config.NetworkSettings;
import io.korvet.security.AclAuthorizer;
import io.korvet.security.ClientSession;
import io.korvet.security.SaslAuthenticator;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.korvet.dispatch.HandlerRegistry;
import io.korvet.dispatch.RequestDispatcher;
import io.korvet.dispatch.RequestMemoryBudget;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka listeners: Netty, native epoll on Linux where available, one server channel per listener over shared
 * event loops. A TLS listener puts its SslHandler first; every connection gets its own security session.
 */
public final class KafkaServer {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    private final List<ListenerConfig> listeners;
    private final SaslAuthenticator authenticator;
    private final int maxFrameBytes;
    private final HandlerRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final RequestMemoryBudget budget;
    private volatile TlsReloads tls;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final EventLoops loops;
    private final NetworkSettings network;
    private final List<Channel> serverChannels = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile AclAuthorizer authorizer;
    private volatile io.korvet.dispatch.RequestObserver observer = io.korvet.dispatch.RequestObserver.NONE;
    private final ConnectionAdmission admission;
    private volatile io.korvet.quota.Throttles throttles = io.korvet.quota.Throttles.NONE;
    /** Set by {@link #open()}, cleared by {@link #stop}: whether the listeners accept, unless max.connections is reached. */
    private volatile boolean accepting;

    public KafkaServer(List<ListenerConfig> listeners, EventLoops loops, NetworkSettings network, int maxFrameBytes,
                       long queuedMaxRequestBytes, HandlerRegistry registry, SaslAuthenticator authenticator) {
        this.listeners = listeners;
        this.network = network;
        this.loops = loops;
        this.authenticator = authenticator;
        this.maxFrameBytes = maxFrameBytes;
        this.budget = new RequestMemoryBudget(queuedMaxRequestBytes);
        this.registry = registry;
        this.admission = new ConnectionAdmission(network.caps(), () -> throttles, this::applyAccepting);
    }

    /**
     * Binds the listeners without accepting connections yet (they wait in the backlog until {@link #open()}), so
     * that a port in use or an unreadable keystore stops start-up before anything else is started.
     *
     * @return the bound address of each listener, by name
     * @throws StartupException when an address is in use or cannot be bound, or a TLS listener cannot be set up
     */
    public Map<String, InetSocketAddress> bind() throws InterruptedException, StartupException {
        tls = new TlsReloads(listeners);
        boolean epoll = loops.epoll();
        Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
        for (ListenerConfig listener : listeners) {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(loops.boss(), loops.workers())
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, network.listenBacklog())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(initializer(listener));
            if (network.sendBufferBytes() > 0) {
                bootstrap.childOption(ChannelOption.SO_SNDBUF, network.sendBufferBytes());
            }
            if (network.receiveBufferBytes() > 0) {
                // Set on the listening socket, so that accepted connections start with it (the TCP window is agreed at the handshake).
                bootstrap.option(ChannelOption.SO_RCVBUF, network.receiveBufferBytes());
            }
            Endpoint endpoint = listener.bind();
            InetSocketAddress bindAddress = endpoint.host().isEmpty()
                    ? new InetSocketAddress(endpoint.port())
                    : new InetSocketAddress(endpoint.host(), endpoint.port());
            ChannelFuture future = bootstrap.bind(bindAddress).await();
            if (!future.isSuccess()) {
                serverChannels.forEach(c -> c.close().syncUninterruptibly());
                serverChannels.clear();
                String address = (endpoint.host().isEmpty() ? "*" : endpoint.host()) + ":" + endpoint.port();
                Throwable cause = future.cause();
                if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
                    throw new StartupException(address + " (listener " + listener.name() + ") is already in use");
                }
                throw new StartupException("cannot listen on " + address + " (listener " + listener.name() + "): " + cause.getMessage());
            }
            Channel channel = future.channel();
            serverChannels.add(channel);
            bound.put(listener.name(), (InetSocketAddress) channel.localAddress());
            log.debug("Bound {} ({}) at {} with {} transport", listener.name(), listener.protocol(), channel.localAddress(),
                    epoll ? "epoll" : "nio");
        }
        return bound;
    }

    /** The TLS listeners' contexts, which dynamic broker configs may replace (null before {@link #bind()}). */
    public TlsReloads tls() {
        return tls;
    }

    private ChannelInitializer<SocketChannel> initializer(ListenerConfig listener) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                channels.add(ch);
                admission.admit(ch, () -> serve(ch, listener));
            }
        };
    }

    /** Sets a connection up to read and answer requests. */
    private void serve(SocketChannel ch, ListenerConfig listener) {
        ClientSession session = new ClientSession(listener, ch.remoteAddress());
        if (network.maxIdleMs() > 0) {
            ch.pipeline().addLast("idle", new IdleConnectionCloser(network.maxIdleMs()));
        }
        SslContext context = tls.context(listener.name());
        if (context != null) {
            ch.pipeline().addLast("tls", context.newHandler(ch.alloc())).addLast("tls-watch", new TlsHandshakeWatcher(session));
        }
        ch.pipeline()
                .addLast("frames", new KafkaFrameDecoder(maxFrameBytes, session))
                .addLast("dispatch", new RequestDispatcher(registry, inFlight, budget, session, authenticator, authorizer, observer));
    }

    /** Turns ACLs on for the connections accepted from now on (before {@link #open()}). */
    public void useAuthorizer(AclAuthorizer aclAuthorizer) {
        this.authorizer = aclAuthorizer;
    }

    /** Applies the ip entities' connection_creation_rate quotas to the connections accepted from now on (before {@link #open()}). */
    public void useThrottles(io.korvet.quota.Throttles connectionThrottles) {
        this.throttles = connectionThrottles;
    }

    /** Tells the metrics of every request answered on the connections accepted from now on (before {@link #open()}). */
    public void useObserver(io.korvet.dispatch.RequestObserver requestObserver) {
        this.observer = requestObserver;
    }

    /** Starts accepting the connections on the bound listener. */
    public void open() {
        accepting = true;
        applyAccepting();
    }

    /**
     * Accepts connections while the listeners are open and the broker holds fewer than max.connections, as Kafka's
     * acceptor waits for a connection to close (the new ones wait in the backlog meanwhile).
     */
    private synchronized void applyAccepting() {
        boolean accept = accepting && !admission.full();
        for (Channel c : serverChannels) {
            if (c.config().isAutoRead() != accept) {
                c.config().setAutoRead(accept);
                if (!accept && accepting) {
                    log.info("Listener {} accepts no more connections for now: the broker holds max.connections", c.localAddress());
                }
            }
        }
    }

    /** What the listener holds right now: open connections, unanswered requests and their bytes. */
    public ListenerStats stats() {
        return new ListenerStats(channels.size(), inFlight.get(), budget.queuedBytes(), budget.limitBytes());
    }

    /** Stops accepting, waits (bounded) for in-flight requests to be answered, then closes every connection. */
    public void stop(long graceMillis) {
        if (serverChannels.isEmpty()) {
            return;
        }
        accepting = false;
        serverChannels.forEach(c -> c.close().syncUninterruptibly());
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
        serverChannels.clear();
    }
}
