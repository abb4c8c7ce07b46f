package io.korvet.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.StorageException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorMapperTest {

    static Stream<Arguments> mappings() {
        return Stream.of(
                Arguments.of(new OutOfOrderSequenceException("gap"), Errors.OUT_OF_ORDER_SEQUENCE_NUMBER),
                Arguments.of(new InvalidProducerEpochException("old"), Errors.INVALID_PRODUCER_EPOCH),
                Arguments.of(new RecordTooLargeException("big"), Errors.MESSAGE_TOO_LARGE),
                Arguments.of(new CorruptRecordException("crc"), Errors.CORRUPT_MESSAGE),
                Arguments.of(new UnknownTopicOrPartitionException("who"), Errors.UNKNOWN_TOPIC_OR_PARTITION),
                Arguments.of(new StorageException.Fenced(10, 12), Errors.NOT_LEADER_OR_FOLLOWER),
                Arguments.of(new StorageException.Timeout("slow", null), Errors.REQUEST_TIMED_OUT),
                Arguments.of(new StorageException.Unavailable("down", new IOException("refused")), Errors.KAFKA_STORAGE_ERROR),
                Arguments.of(new StorageException("odd reply", null), Errors.KAFKA_STORAGE_ERROR),
                Arguments.of(new IllegalStateException("bug"), Errors.UNKNOWN_SERVER_ERROR),
                Arguments.of(new NullPointerException(), Errors.UNKNOWN_SERVER_ERROR));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("mappings")
    void mapsToKafkaCode(Throwable failure, Errors expected) {
        assertThat(ErrorMapper.toError(failure)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "wrapped {0} -> {1}")
    @MethodSource("mappings")
    void unwrapsCompletionAndExecutionExceptions(Throwable failure, Errors expected) {
        assertThat(ErrorMapper.toError(new CompletionException(failure))).isEqualTo(expected);
        assertThat(ErrorMapper.toError(new ExecutionException(failure))).isEqualTo(expected);
        assertThat(ErrorMapper.toError(new CompletionException(new ExecutionException(new CompletionException(failure)))))
                .isEqualTo(expected);
    }

    @Test
    void kafkaExceptionIsReturnedItself() {
        OutOfOrderSequenceException e = new OutOfOrderSequenceException("gap");

        assertThat(ErrorMapper.toApiException(e)).isSameAs(e);
        assertThat(ErrorMapper.toApiException(new CompletionException(e))).isSameAs(e);
    }

    @Test
    void storageFailureMessageIsKept() {
        ApiException mapped = ErrorMapper.toApiException(new StorageException.Fenced(10, 12));

        assertThat(mapped.getMessage()).contains("expected next offset 10").contains("12");
    }

    @Test
    void completionExceptionWithoutCauseIsAnUnknownServerError() {
        assertThat(ErrorMapper.toError(new CompletionException("no cause", null))).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(io.korvet.Failures.cause(new CompletionException(new IllegalStateException("x"))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void redisFailuresGetTheCodeEachApisClientsRetry() {
        var timeout = new StorageException.Timeout("slow", null);
        var down = new StorageException.Unavailable("down", new IOException("refused"));
        assertThat(ErrorMapper.toError(timeout, ApiKeys.PRODUCE)).isEqualTo(Errors.REQUEST_TIMED_OUT);
        for (var api : java.util.List.of(ApiKeys.FETCH, ApiKeys.LIST_OFFSETS,
                ApiKeys.OFFSET_FOR_LEADER_EPOCH)) {
            assertThat(ErrorMapper.toError(timeout, api)).as("%s", api).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
            assertThat(ErrorMapper.toError(down, api)).as("%s", api).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        }
        for (var api : java.util.List.of(ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP,
                ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH)) {
            assertThat(ErrorMapper.toError(timeout, api)).as("%s", api).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
            assertThat(ErrorMapper.toError(down, api)).as("%s", api).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        assertThat(ErrorMapper.toError(new StorageException.Fenced(1, 2), ApiKeys.FETCH))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(ErrorMapper.toError(new RecordTooLargeException("big"), ApiKeys.FETCH))
                .isEqualTo(Errors.MESSAGE_TOO_LARGE);
    }

    @Test
    void longMessagesAreCutSoThatTheyFitInAResponse() {
        // A topic name of 32,000 characters, quoted in a message, would not fit in a protocol string any more.
        String name = "t".repeat(32_000);
        ApiException mapped = ErrorMapper.toApiException(new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));

        assertThat(Errors.forException(mapped)).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(mapped.getMessage()).hasSize(ErrorMapper.MAX_MESSAGE_CHARS).startsWith("Topic 'ttt").endsWith("(truncated)");
        assertThat(ErrorMapper.message(new CompletionException(new CorruptRecordException(name))))
                .hasSize(ErrorMapper.MAX_MESSAGE_CHARS);
        assertThat(ErrorMapper.toApiException(new CorruptRecordException(name), ApiKeys.PRODUCE).getMessage())
                .hasSize(ErrorMapper.MAX_MESSAGE_CHARS);
        assertThat(ErrorMapper.bounded("short")).isEqualTo("short");
        assertThat(ErrorMapper.bounded(null)).isNull();
        assertThat(ErrorMapper.message(null)).isNull();
    }
}
