package io.korvet.storage.redis;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Lettuce's latency hook, installed in every connector's client resources: Lettuce calls it on the connection's I/O
 * thread when a command's reply is read whole (an error reply too; a command inside MULTI when its QUEUED is read),
 * with the time since the command was written. Each command type's sink is looked up once, then found by the
 * keyword's identity: no string is built per command.
 */
final class CommandLatencies implements CommandLatencyRecorder {

    private final RedisCommandObserver observer;
    /** By keyword instance: Lettuce's {@code CommandType} and Korvet's own keywords are enum constants. */
    private final Map<ProtocolKeyword, LongConsumer> byKeyword = new ConcurrentHashMap<>();
    /** By command name, so that keywords that are not constants still share one sink per name. */
    private final Map<String, LongConsumer> byName = new ConcurrentHashMap<>();

    CommandLatencies(RedisCommandObserver observer) {
        this.observer = observer;
    }

    RedisCommandObserver observer() {
        return observer;
    }

    @Override
    public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
                                     long firstResponseLatency, long completionLatency) {
        LongConsumer sink = byKeyword.get(commandType);
        if (sink == null) {
            sink = sinkOf(commandType);
        }
        sink.accept(completionLatency);
    }

    private LongConsumer sinkOf(ProtocolKeyword type) {
        LongConsumer sink = byName.computeIfAbsent(commandName(type), observer::latencies);
        if (type instanceof Enum) {
            byKeyword.put(type, sink);
        }
        return sink;
    }

    /** The name Redis knows the command by: Korvet's own MULTI and EXEC keywords are named apart for Lettuce's sake. */
    static String commandName(ProtocolKeyword type) {
        if (type instanceof RawCommand.Keyword k) {
            return k.command();
        }
        return type.toString();
    }
}
