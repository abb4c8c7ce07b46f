package io.korvet.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.network.EventLoops;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The transaction connections on the broker's event loops, on a real redis-server: a group sent from a loop is
 * answered on that loop, a key's groups keep their order whichever loops send them, and other threads still get
 * theirs answered.
 */
class LoopLanesIT {

    static Path dir;
    static RedisServerProcess redis;
    static EventLoops loops;
    static RedisConnector connector;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("korvet-lanes-it");
        redis = RedisServerProcess.start(dir);
        loops = EventLoops.create();
        connector = new RedisConnector(redis.uri(), Duration.ofSeconds(5), null, RedisCommandObserver.NONE, loops.loops());
    }

    @AfterAll
    static void stop() {
        connector.close();
        loops.shutdown();
        redis.stop();
    }

    /** MULTI, INCR key, EXEC: completes with EXEC's reply, the counter's new value inside it. */
    static CompletionStage<List<Object>> incr(String key) {
        return incr(connector, key);
    }

    static CompletionStage<List<Object>> incr(RedisConnector connector, String key) {
        // Korvet's own commands, as BatchAppend sends them: Lettuce's MULTI and EXEC would make it manage the transaction.
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        List<RedisCommand<byte[], byte[], ?>> leading = List.of(
                new RawCommand<>(RawCommand.Keyword.KORVET_MULTI, new StatusOutput<>(ByteArrayCodec.INSTANCE),
                        new RespWriter(32).array(1).bulk(b("MULTI")).toByteArray(), null),
                new RawCommand<>(CommandType.INCR, new StatusOutput<>(ByteArrayCodec.INSTANCE),
                        new RespWriter(64).array(2).bulk(b("INCR")).bulk(k).toByteArray(), null));
        return connector.dispatchTogether(k, leading, new RawCommand<>(RawCommand.Keyword.KORVET_EXEC,
                new ArrayOutput<>(ByteArrayCodec.INSTANCE), new RespWriter(32).array(1).bulk(b("EXEC")).toByteArray(), null));
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aGroupSentFromALoopIsAnsweredOnThatLoop() throws Exception {
        assertThat(loops.loops()).hasSizeGreaterThan(1);
        for (int i = 0; i < loops.loops().size(); i++) {
            EventLoop loop = loops.loops().get(i);
            String key = "answered-" + i;
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            AtomicReference<List<Object>> reply = new AtomicReference<>();
            loop.execute(() -> incr(key).whenComplete((v, e) -> {
                reply.set(v);
                onLoop.complete(e == null && loop.inEventLoop());
            }));
            assertThat(onLoop.get(10, TimeUnit.SECONDS)).as("answered on loop %d", i).isTrue();
            assertThat(reply.get()).containsExactly(1L);
        }
    }

    @Test
    void aKeysGroupsKeepTheirOrderWhicheverLoopsSendThem() throws Exception {
        // Each group is sent under one lock, as a partition's appends are: the n-th must find the counter at n - 1.
        Object lock = new Object();
        long[] sent = {0};
        List<CompletableFuture<Void>> inOrder = new ArrayList<>();
        List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        int rounds = 400;
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (EventLoop loop : loops.loops()) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            senders.add(done);
            loop.execute(new Runnable() {
                int left = rounds;

                @Override
                public void run() {
                    synchronized (lock) {
                        long expected = ++sent[0];
                        CompletableFuture<Void> ok = new CompletableFuture<>();
                        inOrder.add(ok);
                        incr("ordered").whenComplete((v, e) -> {
                            if (e != null || !v.equals(List.of(expected))) {
                                wrong.add("group " + expected + " got " + v + (e == null ? "" : " " + e));
                            }
                            ok.complete(null);
                        });
                    }
                    if (--left > 0) {
                        loop.execute(this); // interleave with the other loops' sends
                    } else {
                        done.complete(null);
                    }
                }
            });
        }
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        List<CompletableFuture<Void>> all;
        synchronized (lock) {
            all = List.copyOf(inOrder);
        }
        assertThat(all).hasSize(rounds * loops.loops().size());
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        // A group written between two commands of another, or after a later one, shows here.
        assertThat(wrong).isEmpty();
    }

    @Test
    void aKeyWhoseGroupTimedOutKeepsItsLaneUntilRedisAnswersALaterOne() throws Exception {
        // Redis may still run a group that timed out, after anything sent since on another connection: the key's
        // next group must follow it on the same connection (else its offsets could land out of order).
        try (RedisConnector impatient = new RedisConnector(redis.uri(), Duration.ofMillis(300), null,
                RedisCommandObserver.NONE, loops.loops())) {
            EventLoop first = loops.loops().get(0);
            EventLoop second = loops.loops().get(1);
            signal("STOP", redis.pid());
            CompletableFuture<Throwable> timedOut = new CompletableFuture<>();
            CompletableFuture<EventLoop> answeredOn = new CompletableFuture<>();
            AtomicReference<List<Object>> reply = new AtomicReference<>();
            try {
                first.execute(() -> incr(impatient, "stalled").whenComplete((v, e) -> timedOut.complete(e)));
                assertThat(timedOut.get(10, TimeUnit.SECONDS)).isNotNull();
                second.execute(() -> incr(impatient, "stalled").whenComplete((v, e) -> {
                    reply.set(v);
                    answeredOn.complete(first.inEventLoop() ? first : second.inEventLoop() ? second : null);
                }));
                Thread.sleep(100);
            } finally {
                signal("CONT", redis.pid());
            }
            assertThat(answeredOn.get(10, TimeUnit.SECONDS)).as("sent from the second loop, on the first's connection")
                    .isSameAs(first);
            assertThat(reply.get()).as("after the group that timed out").containsExactly(2L);
            // Redis has answered the key's last group: the next one takes the lane of its sender.
            CompletableFuture<Boolean> onSecond = new CompletableFuture<>();
            second.execute(() -> incr(impatient, "stalled").whenComplete((v, e) -> onSecond.complete(second.inEventLoop())));
            assertThat(onSecond.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aReadSentFromALoopIsAnsweredOnThatLoop() throws Exception {
        for (EventLoop loop : loops.loops()) {
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            loop.execute(() -> connector.readAsync().exists(b("nothing")).whenComplete(
                    (v, e) -> onLoop.complete(e == null && v == 0L && loop.inEventLoop())));
            assertThat(onLoop.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(connector.readAsync()).as("off the loops: the shared connection").isSameAs(connector.async());
    }

    @Test
    void aGroupSentFromAnotherThreadIsAnswered() throws Exception {
        assertThat(incr("elsewhere").toCompletableFuture().get(10, TimeUnit.SECONDS)).containsExactly(1L);
    }
}
