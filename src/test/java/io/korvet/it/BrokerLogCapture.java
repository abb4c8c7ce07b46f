package io.korvet.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Collects what the broker (running in the test's JVM) logs under {@code io.korvet}, for assertions. */
public final class BrokerLogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final Logger logger;

    private BrokerLogCapture() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        this.logger = context.getLogger("io.korvet");
        setContext(context);
        setName("it-capture");
    }

    /** Starts collecting; {@link #close()} stops. */
    public static BrokerLogCapture attach() {
        BrokerLogCapture capture = new BrokerLogCapture();
        capture.start();
        capture.logger.addAppender(capture);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        events.add(event);
    }

    /** The messages at WARN or above whose text contains every one of {@code parts}. */
    public List<String> warnings(String... parts) {
        return events.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> {
                    for (String p : parts) {
                        if (!m.contains(p)) {
                            return false;
                        }
                    }
                    return true;
                })
                .toList();
    }

    /** Every message at any level containing all of {@code parts}. */
    public List<String> messages(String... parts) {
        return events.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> {
                    for (String p : parts) {
                        if (!m.contains(p)) {
                            return false;
                        }
                    }
                    return true;
                })
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
