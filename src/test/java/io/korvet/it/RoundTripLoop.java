package io.korvet.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A real KafkaProducer and KafkaConsumer sending one record after another through the broker, each read
 * back before the next is sent, on a thread of their own: the well-behaved client whose service must not
 * suffer while tests abuse the broker on other connections. Failures are collected, not thrown, and the
 * loop can be paused for moments when the broker must be idle.
 */
public final class RoundTripLoop implements AutoCloseable {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private final Thread thread;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong slowestMillis = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Object pauseLock = new Object();
    private volatile boolean running = true;
    private boolean pauseRequested;
    private boolean paused;

    private RoundTripLoop(KorvetCluster cluster, String topic) {
        this.topic = topic;
        this.producer = cluster.producer(Map.of());
        this.consumer = cluster.consumer(Map.of());
        this.thread = new Thread(this::run, "round-trip-loop");
        this.thread.setDaemon(true);
    }

    /** Starts the loop on an existing single-partition topic, once a first round trip has succeeded. */
    public static RoundTripLoop start(KorvetCluster cluster, String topic) throws InterruptedException {
        RoundTripLoop loop = new RoundTripLoop(cluster, topic);
        loop.consumer.assign(List.of(new TopicPartition(topic, 0)));
        loop.thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (loop.completed() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (loop.completed() == 0) {
            loop.close();
            throw new AssertionError("no first round trip within 30 s: " + loop.failures());
        }
        return loop;
    }

    private void run() {
        long sequence = 0;
        while (running) {
            waitWhilePaused();
            if (!running) {
                return;
            }
            String value = "round-trip-" + sequence++;
            long started = System.nanoTime();
            try {
                producer.send(new ProducerRecord<>(topic, 0, null, value)).get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (!readBack(value)) {
                    failures.add(value + " was acknowledged but not read back within " + STEP_TIMEOUT);
                    continue;
                }
                completed.incrementAndGet();
                slowestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), Math::max);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures.add(value + ": " + e);
            }
        }
    }

    private boolean readBack(String value) {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (running && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (value.equals(r.value())) {
                    return true;
                }
            }
        }
        return false;
    }

    private void waitWhilePaused() {
        synchronized (pauseLock) {
            while (pauseRequested && running) {
                paused = true;
                pauseLock.notifyAll();
                try {
                    pauseLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            paused = false;
        }
    }

    /** Stops sending after the round trip under way, and returns once the loop is idle (bounded). */
    public void pause() throws InterruptedException {
        synchronized (pauseLock) {
            pauseRequested = true;
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos() * 3;
            while (!paused && System.nanoTime() < deadline) {
                pauseLock.wait(100);
            }
            if (!paused) {
                throw new AssertionError("the round-trip loop did not pause");
            }
        }
    }

    public void resume() {
        synchronized (pauseLock) {
            pauseRequested = false;
            pauseLock.notifyAll();
        }
    }

    /** Round trips completed so far. */
    public long completed() {
        return completed.get();
    }

    /** The slowest round trip since the last call, for the report (never asserted). */
    public long takeSlowestMillis() {
        return slowestMillis.getAndSet(0);
    }

    /** Waits (bounded) until {@code count} more round trips have completed. */
    public void awaitMore(int count) throws InterruptedException {
        long target = completed() + count;
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos() * 2;
        while (completed() < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (completed() < target) {
            throw new AssertionError("fewer than " + count + " round trips in " + STEP_TIMEOUT.multipliedBy(2) + ": " + failures());
        }
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        running = false;
        resume();
        try {
            thread.join(STEP_TIMEOUT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
        producer.close(Duration.ofSeconds(5));
    }
}
