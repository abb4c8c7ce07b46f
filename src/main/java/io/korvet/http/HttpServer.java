package io.korvet.http;

import io.korvet.StartupException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's HTTP listener ({@code korvet.http.listener}), on Netty's HTTP codec: {@code /metrics} in the
 * Prometheus text format, {@code /health/live} and {@code /health/ready}. One small event loop of its own, so that a
 * slow scrape never delays a Kafka request.
 */
public final class HttpServer {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    /** What {@code /health/ready} asks: null when ready, else why not. */
    public interface Readiness {
        CompletionStage<String> notReadyReason();
    }

    private final String host;
    private final int port;
    private final BrokerMetrics metrics;
    private final Readiness readiness;
    private EventLoopGroup group;
    private Channel channel;

    public HttpServer(String host, int port, BrokerMetrics metrics, Readiness readiness) {
        this.host = host;
        this.port = port;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    /** @throws StartupException when the address cannot be bound */
    public InetSocketAddress bind() throws InterruptedException, StartupException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Routes());
                    }
                });
        ChannelFuture f = b.bind(host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port)).await();
        if (!f.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new StartupException("cannot listen for HTTP on " + host + ":" + port + " (korvet.http.listener): "
                    + f.cause().getMessage());
        }
        channel = f.channel();
        return (InetSocketAddress) channel.localAddress();
    }

    public void stop() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    private final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String path = new QueryStringDecoder(request.uri()).path();
            if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json", "{\"error\":\"only GET\"}");
                return;
            }
            switch (path) {
                case "/metrics" -> metrics.scrape(ctx.executor()).whenComplete((text, error) -> ctx.executor().execute(() -> {
                    if (error != null) {
                        send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "application/json",
                                "{\"error\":\"" + Json.escape(String.valueOf(error.getMessage())) + "\"}");
                    } else {
                        send(ctx, keepAlive, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", text);
                    }
                }));
                case "/health/live" -> send(ctx, keepAlive, HttpResponseStatus.OK, "application/json", "{\"status\":\"live\"}");
                case "/health/ready" -> readiness.notReadyReason().whenComplete((reason, error) -> {
                    String why = error != null ? String.valueOf(error.getMessage()) : reason;
                    ctx.executor().execute(() -> {
                        if (why == null) {
                            send(ctx, keepAlive, HttpResponseStatus.OK, "application/json", "{\"status\":\"ready\"}");
                        } else {
                            send(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                                    "{\"status\":\"not ready\",\"reason\":\"" + Json.escape(why) + "\"}");
                        }
                    });
                });
                default -> send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "application/json",
                        "{\"error\":\"no such path: " + Json.escape(path) + "\"}");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** Sends {@code body} encoded in UTF-8 straight into the response's buffer (a scrape is megabytes). */
    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, CharSequence body) {
        ByteBuf bytes = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, bytes);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.readableBytes());
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** JSON string escaping for the few strings the endpoints write. */
    static final class Json {
        private Json() {
        }

        static String escape(String s) {
            StringBuilder out = new StringBuilder();
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.toString();
        }
    }
}
