package io.korvet.storage.redis;

import io.korvet.Failures;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction connection per broker event loop, each registered on its loop: an append sent from a loop goes out
 * on that loop's connection and its reply is read there too, so the request, its Redis round trip and its response
 * never change threads (each change a wake-up through the kernel). A key's groups must reach Redis in the order they
 * were sent, so a key keeps the lane it was given until Redis has answered its last group (a group that timed out is
 * not answered: Redis may still run it); then its next group takes the lane of the thread that sends it (a thread
 * that is not one of the loops: a lane chosen by the key). Every group is handed to its lane's loop as one task:
 * see {@link TransactionLane}.
 */
final class LoopLanes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoopLanes.class);

    private final List<EventLoop> loops;
    private final List<TransactionLane> lanes;
    private final List<RedisClient> clients;
    private final List<ClientResources> resources;
    /** The keys whose last group Redis has not answered yet, with their lane. */
    private final ConcurrentHashMap<ByteBuffer, Pinned> pinned = new ConcurrentHashMap<>();

    /** A key's lane, and how many groups it has sent since it took it (the last one is group number {@code sent}). */
    private record Pinned(TransactionLane lane, long sent) {
    }

    private LoopLanes(List<EventLoop> loops, List<TransactionLane> lanes, List<RedisClient> clients,
                      List<ClientResources> resources) {
        this.loops = loops;
        this.lanes = lanes;
        this.clients = clients;
        this.resources = resources;
    }

    /**
     * A lane per loop, connected to {@code uri}; null (and a log line saying why) when Lettuce's transport cannot run
     * on these loops, or a connection cannot be made.
     */
    static LoopLanes connect(List<EventLoop> loops, RedisURI uri, ClientOptions options, ClientResources shared,
                             Supplier<DefaultClientResources.Builder> settings) {
        if (loops == null || loops.isEmpty()) {
            return null;
        }
        if (!compatible(loops.get(0))) {
            log.info("Appends to Redis go through Lettuce's own threads: its transport ({}) differs from the broker's",
                    Transports.socketChannelClass().getSimpleName());
            return null;
        }
        List<TransactionLane> lanes = new ArrayList<>();
        List<RedisClient> clients = new ArrayList<>();
        List<ClientResources> resources = new ArrayList<>();
        LoopLanes made = new LoopLanes(loops, lanes, clients, resources);
        try {
            for (EventLoop loop : loops) {
                ClientResources r = settings.get()
                        .eventLoopGroupProvider(new OneLoop(loop))
                        .eventExecutorGroup(shared.eventExecutorGroup())
                        .timer(shared.timer())
                        .build();
                resources.add(r);
                RedisClient client = RedisClient.create(r, uri);
                client.setOptions(options);
                clients.add(client);
                lanes.add(new TransactionLane(client.connect(ByteArrayCodec.INSTANCE), loop));
            }
            return made;
        } catch (RuntimeException e) {
            log.warn("Appends to Redis go through Lettuce's own threads: a connection on a broker thread failed: {}",
                    e.toString());
            made.close();
            return null;
        }
    }

    private static boolean compatible(EventLoop loop) {
        if (!(loop instanceof IoEventLoop io)) {
            return false;
        }
        Class<?> channel = Transports.socketChannelClass();
        return channel == EpollSocketChannel.class && io.isIoType(EpollIoHandler.class)
                || channel == NioSocketChannel.class && io.isIoType(NioIoHandler.class);
    }

    /** Sends a group for {@code key} on the key's lane (see the class comment). */
    <T> CompletionStage<T> dispatch(byte[] key, List<? extends RedisCommand<byte[], byte[], ?>> leading,
                                    RedisCommand<byte[], byte[], T> last) {
        ByteBuffer k = ByteBuffer.wrap(key);
        TransactionLane own = laneOfThisThread(k);
        // compute runs atomically per key, so two senders of one key never pick different lanes.
        Pinned now = pinned.compute(k, (x, p) -> p == null ? new Pinned(own, 1) : new Pinned(p.lane(), p.sent() + 1));
        long number = now.sent();
        CompletionStage<T> reply = now.lane().dispatch(leading, last);
        return reply.whenComplete((v, e) -> {
            if (answeredByRedis(e)) {
                answered(k, number);
            }
        });
    }

    /**
     * Whether Redis answered (a reply, or an error reply), rather than the group timing out or its connection
     * failing: then it may still be executed later, after anything sent since on another connection, so the key
     * keeps its lane until a later group's answer shows that Redis has read past it.
     */
    private static boolean answeredByRedis(Throwable e) {
        Throwable cause = Failures.cause(e);
        return cause == null || cause instanceof RedisCommandExecutionException;
    }

    private void answered(ByteBuffer key, long number) {
        // Answers on one connection come in the order sent: this one means every earlier group was read too.
        pinned.computeIfPresent(key, (x, p) -> number >= p.sent() ? null : p);
    }

    /**
     * The connection of the calling thread's loop, for a read (reads need no order among themselves): its reply is
     * read on the same loop; null when the caller is not one of the loops.
     */
    StatefulRedisConnection<byte[], byte[]> readConnection() {
        int own = loopOfThisThread();
        return own >= 0 ? lanes.get(own).connection() : null;
    }

    private TransactionLane laneOfThisThread(ByteBuffer key) {
        int own = loopOfThisThread();
        return lanes.get(own >= 0 ? own : Math.floorMod(key.hashCode(), lanes.size()));
    }

    /** The index of the calling thread's loop, or -1 when it is not one of them. */
    private int loopOfThisThread() {
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i).inEventLoop()) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        lanes.forEach(TransactionLane::close);
        clients.forEach(c -> c.shutdown(0, 2, TimeUnit.SECONDS));
        resources.forEach(r -> r.shutdown(0, 2, TimeUnit.SECONDS));
    }

    /** Gives Lettuce one broker loop, which it must neither stop nor hand back. */
    private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {

        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return (T) loop;
        }

        @Override
        public int threadPoolSize() {
            return 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
