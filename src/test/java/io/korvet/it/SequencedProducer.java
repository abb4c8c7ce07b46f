package io.korvet.it;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;

/**
 * One idempotent producer sending records numbered 0..n-1 from a thread of its own, and remembering the
 * partition and offset each one was acknowledged at, so that a fault test can check afterwards that every
 * acknowledged record is in the log exactly once, in order, where its acknowledgement said.
 *
 * <p>Keys spread the records over the partitions (one key always lands on the same partition, so a
 * partition's records were sent in the order of their numbers); the value starts with the number. At most
 * {@code window} records are unacknowledged at a time: the producer keeps sending through a fault instead of
 * buffering everything before it, so records sent after the fault show that the same producer carries on.
 */
final class SequencedProducer implements AutoCloseable {

    /** Keys per run: enough for every partition of a small topic to get some. */
    private static final int KEYS = 64;
    private static final String PADDING = "p".repeat(80);

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final int total;
    private final Semaphore window;
    /** Per record: partition << 40 | offset once acknowledged, else -1. */
    private final AtomicLongArray ackedAt;
    private final AtomicInteger submitted = new AtomicInteger();
    private final AtomicInteger acked = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    /** Per partition: when its first acknowledgement after {@link #mark()} came (System.nanoTime), 0 before. */
    private final java.util.concurrent.atomic.AtomicLongArray firstAckAfterMark = new java.util.concurrent.atomic.AtomicLongArray(KEYS);
    private volatile long markedAt = Long.MAX_VALUE;
    private volatile Throwable crash;

    SequencedProducer(KafkaProducer<String, String> producer, String topic, int total, int window) {
        this.producer = producer;
        this.topic = topic;
        this.total = total;
        this.window = new Semaphore(window);
        long[] none = new long[total];
        Arrays.fill(none, -1L);
        this.ackedAt = new AtomicLongArray(none);
        this.thread = new Thread(this::sendAll, "sequenced-producer-" + topic);
        this.thread.setDaemon(true);
    }

    SequencedProducer start() {
        thread.start();
        return this;
    }

    static String key(int seq) {
        return "key-" + (seq % KEYS);
    }

    static String value(int seq) {
        return seq + ";" + PADDING;
    }

    /** The number a value was sent with. */
    static int seqOf(String value) {
        return Integer.parseInt(value.substring(0, value.indexOf(';')));
    }

    private void sendAll() {
        try {
            for (int seq = 0; seq < total; seq++) {
                if (!window.tryAcquire(180, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no acknowledgement for 180 s; " + acked.get() + " acknowledged so far");
                }
                int s = seq;
                producer.send(new ProducerRecord<>(topic, key(seq), value(seq)), (meta, error) -> {
                    if (error == null) {
                        ackedAt.set(s, (long) meta.partition() << 40 | meta.offset());
                        acked.incrementAndGet();
                        long now = System.nanoTime();
                        if (now > markedAt && meta.partition() < KEYS) {
                            firstAckAfterMark.compareAndSet(meta.partition(), 0, now);
                        }
                    } else {
                        failed.incrementAndGet();
                        if (failures.size() < 10) {
                            failures.add(s + ": " + error);
                        }
                    }
                    window.release();
                });
                submitted.incrementAndGet();
            }
            producer.flush();
        } catch (Throwable t) {
            crash = t;
        }
    }

    int total() {
        return total;
    }

    /** Records handed to {@code send()} so far. */
    int submitted() {
        return submitted.get();
    }

    int acked() {
        return acked.get();
    }

    int failed() {
        return failed.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    boolean isAcked(int seq) {
        return ackedAt.get(seq) >= 0;
    }

    int ackedPartition(int seq) {
        return (int) (ackedAt.get(seq) >>> 40);
    }

    long ackedOffset(int seq) {
        return ackedAt.get(seq) & ((1L << 40) - 1);
    }

    /** Marks now (System.nanoTime, returned): {@link #firstAckAfterMark} then tells when each partition was next acknowledged. */
    long mark() {
        for (int p = 0; p < KEYS; p++) {
            firstAckAfterMark.set(p, 0);
        }
        long now = System.nanoTime();
        markedAt = now;
        return now;
    }

    /** When {@code partition}'s first acknowledgement after the mark came (System.nanoTime), 0 if none yet. */
    long firstAckAfterMark(int partition) {
        return firstAckAfterMark.get(partition);
    }

    /** Waits (bounded) until at least {@code count} records are acknowledged; false if the time ran out. */
    boolean awaitAcked(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acked.get() < count && System.nanoTime() < deadline && thread.isAlive()) {
            Thread.sleep(5);
        }
        return acked.get() >= count;
    }

    /** Waits (bounded) until every record was sent and answered; rethrows what stopped the sending thread. */
    void awaitDone(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("the producer did not finish within " + timeout + ": " + submitted.get()
                    + " submitted, " + acked.get() + " acknowledged, " + failed.get() + " failed");
        }
        if (crash != null) {
            throw new AssertionError("the producer thread stopped: " + crash, crash);
        }
    }

    /** A producer-metrics value, e.g. {@code record-retry-total}. */
    double metric(String name) {
        for (var e : producer.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics")) {
                Object v = ((Metric) e.getValue()).metricValue();
                return v instanceof Number n ? n.doubleValue() : Double.NaN;
            }
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        thread.interrupt();
        producer.close(Duration.ofSeconds(10));
    }
}
