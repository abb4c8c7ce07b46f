package io.korvet.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.redis.RedisCommandObserver.Failure;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.protocol.CommandType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class CommandLatenciesTest {

    /** Records what it is told: the names asked for, and the latencies per name. */
    private static final class Recording implements RedisCommandObserver {
        final List<String> asked = new ArrayList<>();
        final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
        final List<Failure> failures = new ArrayList<>();

        @Override
        public LongConsumer latencies(String command) {
            asked.add(command);
            List<Long> list = latencies.computeIfAbsent(command, c -> new ArrayList<>());
            return list::add;
        }

        @Override
        public void failed(Failure kind) {
            failures.add(kind);
        }
    }

    @Test
    void latenciesGoToOneSinkPerCommandNamedAsRedisNamesIt() {
        Recording observer = new Recording();
        CommandLatencies latencies = new CommandLatencies(observer);
        latencies.recordCommandLatency(null, null, CommandType.XRANGE, 10, 100);
        latencies.recordCommandLatency(null, null, CommandType.XRANGE, 20, 200);
        latencies.recordCommandLatency(null, null, RawCommand.Keyword.KORVET_MULTI, 1, 50);
        latencies.recordCommandLatency(null, null, RawCommand.Keyword.KORVET_EXEC, 1, 300);
        assertThat(observer.asked).containsExactly("XRANGE", "MULTI", "EXEC");
        assertThat(observer.latencies).containsEntry("XRANGE", List.of(100L, 200L)).containsEntry("MULTI", List.of(50L))
                .containsEntry("EXEC", List.of(300L));
    }

    @Test
    void failuresAreSortedByKind() {
        assertThat(Failure.of(new RedisCommandTimeoutException("Command timed out after 5 second(s)"))).isEqualTo(Failure.TIMEOUT);
        assertThat(Failure.of(new RedisConnectionException("Unable to connect to localhost:6379"))).isEqualTo(Failure.CONNECTION);
        assertThat(Failure.of(new RedisException("Currently not connected. Commands are rejected."))).isEqualTo(Failure.CONNECTION);
        assertThat(Failure.of(new RedisException("Connection closed"))).isEqualTo(Failure.CONNECTION);
        assertThat(Failure.of(new RedisException("Connection disconnected"))).isEqualTo(Failure.CONNECTION);
        assertThat(Failure.of(new RedisCommandExecutionException("OOM command not allowed when used memory > 'maxmemory'.")))
                .isEqualTo(Failure.REPLY);
        assertThat(Failure.of(new RedisNoScriptException("NOSCRIPT No matching script."))).isEqualTo(Failure.REPLY);
        assertThat(Failure.of(new RedisException("Too many redirections"))).isEqualTo(Failure.OTHER);
        assertThat(Failure.of(new IllegalStateException("a reply that could not be read"))).isEqualTo(Failure.OTHER);
        assertThat(Failure.CONNECTION.label()).isEqualTo("connection");
    }
}
