package io.korvet.dispatch;

import io.korvet.storage.StorageException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The one place where failures become Kafka error codes. Kafka's own exceptions keep their code;
 * storage failures become retriable codes (the outcome of a timed-out write is unknown, so the client
 * retries and idempotence sorts it out); anything else is a bug, reported as UNKNOWN_SERVER_ERROR.
 */
public final class ErrorMapper {

    private ErrorMapper() {
    }

    public static ApiException toApiException(Throwable failure) {
        Throwable e = unwrap(failure);
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof StorageException.Fenced) {
            return new NotLeaderOrFollowerException("The partition's log moved under this leader; it is reloading: " + e.getMessage());
        }
        if (e instanceof StorageException.Timeout) {
            return new TimeoutException(e.getMessage());
        }
        if (e instanceof StorageException) {
            return new KafkaStorageException(e.getMessage());
        }
        return new UnknownServerException(e.toString());
    }

    public static Errors toError(Throwable failure) {
        return Errors.forException(toApiException(failure));
    }

    public static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
