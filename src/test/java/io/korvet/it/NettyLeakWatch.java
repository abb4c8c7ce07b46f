package io.korvet.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Netty's buffer leak detector at its paranoid level (every buffer tracked), with its reports collected
 * instead of printed, for tests that must prove the broker releases every buffer it reads or writes.
 *
 * <p>The level is switched at run time rather than by system property because all integration tests share
 * one JVM, where Netty may already be loaded; Netty reads the level on each allocation, so this works
 * either way. A leak is only reported once its buffer is garbage-collected and a later allocation polls
 * the detector's queue: {@link #leaks()} forces both. {@link #proveLive()} leaks one buffer on purpose, so
 * that a detector that reports nothing is known to be looking.
 */
public final class NettyLeakWatch extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private static final String CANARY = "korvet-it-deliberate-leak-canary";

    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final boolean wasAdditive;
    private final ResourceLeakDetector.Level previousLevel;

    private NettyLeakWatch() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        this.logger = context.getLogger(ResourceLeakDetector.class.getName());
        this.wasAdditive = logger.isAdditive();
        this.previousLevel = ResourceLeakDetector.getLevel();
        setContext(context);
        setName("netty-leak-watch");
    }

    /** Sets the paranoid level and starts collecting leak reports; {@link #close()} restores both. */
    public static NettyLeakWatch begin() {
        NettyLeakWatch watch = new NettyLeakWatch();
        watch.watch();
        return watch;
    }

    private void watch() {
        start();
        logger.addAppender(this);
        // Reports go to the assertion message, not the console: the canary's would look like a real failure.
        logger.setAdditive(false);
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK:")) {
            reports.add(message);
        }
    }

    /** Leaks one buffer on purpose and waits (bounded) until the detector reports it. */
    public void proveLive() throws InterruptedException {
        ByteBuf canary = ByteBufAllocator.DEFAULT.buffer(64);
        canary.touch(CANARY);
        canary = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            collect();
            if (reports.stream().anyMatch(r -> r.contains(CANARY))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Netty's leak detector did not report a buffer leaked on purpose: leak checks would prove nothing");
    }

    /** The leak reports so far, the canary's left out, after a garbage collection and a poll of the detector. */
    public List<String> leaks() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            collect();
            Thread.sleep(50);
        }
        return reports.stream().filter(r -> !r.contains(CANARY)).toList();
    }

    /** Collects garbage, then allocates: each tracked allocation reports the leaks the collection queued. */
    private static void collect() {
        System.gc();
        for (int i = 0; i < 8; i++) {
            ByteBufAllocator.DEFAULT.buffer(16).release();
        }
    }

    @Override
    public void close() {
        ResourceLeakDetector.setLevel(previousLevel);
        logger.setAdditive(wasAdditive);
        logger.detachAppender(this);
        stop();
    }
}
