package io.korvet.http;

import io.korvet.Failures;
import io.korvet.StartupException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's HTTP listener ({@code korvet.http.listener}), on Netty's HTTP codec: the web console at {@code /}
 * and {@code /assets/}, the JSON admin API under {@code /api/v1/}, {@code /metrics} in the Prometheus text format
 * (each behind {@link HttpSecurity}), and {@code /health/live} and {@code /health/ready}, always open. One small event
 * loop of its own, so that a slow scrape never delays a Kafka request.
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
    private final StaticAssets assets = new StaticAssets();
    private volatile HttpSecurity security;
    private volatile AdminApi api;
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
        if (api != null) {
            api.stopSampling();
        }
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    /**
     * Serves the console and the admin API from now on, with {@code security} deciding who may call them (until
     * then they answer 503: the broker is starting); starts sampling the traffic history.
     */
    public void serve(HttpSecurity security, AdminApi api) {
        this.security = security;
        this.api = api;
        api.startSampling(group.next());
    }

    private final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            boolean head = request.method() == HttpMethod.HEAD;
            if (request.method() != HttpMethod.GET && !head) {
                send(ctx, keepAlive, head, HttpAnswer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET")
                        .withHeader("Allow", "GET, HEAD"));
                return;
            }
            String uri = request.uri();
            String path = new QueryStringDecoder(uri).path();
            if (path.startsWith("/health/")) {
                answer(ctx, keepAlive, head, health(path));
                return;
            }
            HttpSecurity s = security;
            AdminApi a = api;
            if (s == null || a == null) {
                send(ctx, keepAlive, head, HttpAnswer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the broker is starting"));
                return;
            }
            String from = String.valueOf(ctx.channel().remoteAddress());
            String host = ctx.channel().remoteAddress() instanceof InetSocketAddress isa && isa.getAddress() != null
                    ? isa.getAddress().getHostAddress() : from;
            CompletionStage<HttpAnswer> answer = s.authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION), from)
                    .thenCompose(principal -> {
                        if (s.required() && principal == null) {
                            return CompletableFuture.completedFuture(HttpAnswer.error(HttpResponseStatus.UNAUTHORIZED,
                                    "log in with a user of the broker").withHeader("WWW-Authenticate", BasicAuthentication.CHALLENGE));
                        }
                        return route(HttpCall.of(uri, principal, host), a, ctx.executor());
                    });
            answer(ctx, keepAlive, head, answer);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private CompletionStage<HttpAnswer> route(HttpCall call, AdminApi a, java.util.concurrent.Executor executor) {
        String first = call.segment(0);
        if (first == null) {
            return CompletableFuture.completedFuture(assets.file("index.html"));
        }
        if (first.equals("assets") && call.segments().size() == 2) {
            return CompletableFuture.completedFuture(assets.file(call.segment(1)));
        }
        if (first.equals("api") && "v1".equals(call.segment(1))) {
            return a.answer(call);
        }
        if (first.equals("metrics") && call.segments().size() == 1) {
            if (!a.access().mayDescribeCluster(call)) {
                return CompletableFuture.completedFuture(HttpAnswer.error(HttpResponseStatus.FORBIDDEN,
                        "not authorized to describe the cluster"));
            }
            return metrics.scrape(executor).thenApply(text -> new HttpAnswer(HttpResponseStatus.OK,
                    "text/plain; version=0.0.4; charset=utf-8", text, java.util.Map.of()));
        }
        return CompletableFuture.completedFuture(HttpAnswer.notFound("no such path: " + call.path()));
    }

    private CompletionStage<HttpAnswer> health(String path) {
        return switch (path) {
            case "/health/live" -> CompletableFuture.completedFuture(HttpAnswer.ok("{\"status\":\"live\"}"));
            case "/health/ready" -> readiness.notReadyReason().handle((reason, error) -> {
                String why = error != null ? String.valueOf(error.getMessage()) : reason;
                if (why == null) {
                    return HttpAnswer.ok("{\"status\":\"ready\"}");
                }
                return HttpAnswer.json(HttpResponseStatus.SERVICE_UNAVAILABLE, new JsonWriter().beginObject()
                        .field("status", "not ready").field("reason", why).endObject().toString());
            });
            default -> CompletableFuture.completedFuture(HttpAnswer.notFound("no such path: " + path));
        };
    }

    /** Sends the answer once it is there, on the channel's own thread; a failure is a 500 with its message. */
    private static void answer(ChannelHandlerContext ctx, boolean keepAlive, boolean head, CompletionStage<HttpAnswer> answer) {
        answer.whenComplete((a, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                Throwable e = Failures.cause(error);
                log.warn("HTTP request failed: {}", e.toString());
                send(ctx, keepAlive, head, HttpAnswer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(e.getMessage())));
            } else {
                send(ctx, keepAlive, head, a);
            }
        }));
    }

    /** Sends the answer; a text body (a scrape is megabytes) is encoded in UTF-8 straight into the response's buffer. */
    private static void send(ChannelHandlerContext ctx, boolean keepAlive, boolean head, HttpAnswer answer) {
        ByteBuf bytes = answer.body() instanceof byte[] b ? Unpooled.wrappedBuffer(b)
                : ByteBufUtil.writeUtf8(ctx.alloc(), (CharSequence) answer.body());
        int length = bytes.readableBytes();
        if (head) {
            bytes.release();
            bytes = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(), bytes);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, length)
                .set("X-Content-Type-Options", "nosniff");
        answer.headers().forEach((k, v) -> response.headers().set(k, v));
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
