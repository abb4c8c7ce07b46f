package io.korvet.dispatch;

import io.korvet.storage.StorageException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The one place where failures become Kafka error codes. Kafka's own exceptions keep their code;
 * storage failures become retriable codes (the outcome of a timed-out write is unknown, so the client
 * retries and idempotence sorts it out); anything else is a bug, reported as UNKNOWN_SERVER_ERROR.
 */
public final class ErrorMapper {

    private ErrorMapper() {
    }

    /**
     * The longest error message sent to a client. Messages quote names and values from requests, which may be up to
     * the protocol's 32,767 bytes themselves: unbounded, such a message no longer fits in a response.
     */
    public static final int MAX_MESSAGE_CHARS = 1_000;

    /** The failure as the Kafka exception a client gets: its code, and a message of at most {@link #MAX_MESSAGE_CHARS}. */
    public static ApiException toApiException(Throwable failure) {
        return withBoundedMessage(mapped(failure, null));
    }

    /**
     * The same for a failure while serving {@code api}. A Redis failure (unreachable, timed out) must be a code
     * the client of that API retries, and clients retry different codes per API: the group coordinator APIs
     * get COORDINATOR_NOT_AVAILABLE (what Kafka answers when its offsets log cannot be written; consumers
     * treat REQUEST_TIMED_OUT in a JoinGroup or OffsetFetch as fatal), and the partition reads (Fetch,
     * ListOffsets, OffsetForLeaderEpoch) get KAFKA_STORAGE_ERROR (consumers refresh metadata and retry it,
     * but stop with "Unexpected error code" on REQUEST_TIMED_OUT in a fetched partition). Other APIs,
     * Produce among them, get {@link #toApiException(Throwable)}'s answer.
     */
    public static ApiException toApiException(Throwable failure, ApiKeys api) {
        return withBoundedMessage(mapped(failure, api));
    }

    public static Errors toError(Throwable failure) {
        return Errors.forException(toApiException(failure));
    }

    public static Errors toError(Throwable failure, ApiKeys api) {
        return Errors.forException(toApiException(failure, api));
    }

    /** The message a client gets for this failure. */
    public static String message(Throwable failure) {
        return failure == null ? null : toApiException(failure).getMessage();
    }

    /** A message cut to {@link #MAX_MESSAGE_CHARS}, saying so. */
    public static String bounded(String message) {
        if (message == null || message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        String cut = " ... (truncated)";
        return message.substring(0, MAX_MESSAGE_CHARS - cut.length()) + cut;
    }

    private static ApiException withBoundedMessage(ApiException api) {
        String message = api.getMessage();
        if (message == null || message.length() <= MAX_MESSAGE_CHARS) {
            return api;
        }
        return Errors.forException(api).exception(bounded(message));
    }

    /** @param api the API being served, or null where the code does not depend on it */
    private static ApiException mapped(Throwable failure, ApiKeys api) {
        Throwable e = io.korvet.Failures.cause(failure);
        if (e instanceof ApiException known) {
            return known;
        }
        if (e instanceof StorageException.Fenced) {
            return new NotLeaderOrFollowerException("The partition's log moved under this leader; it is reloading: " + e.getMessage());
        }
        if (e instanceof StorageException.LeaderMoved) {
            return new NotLeaderOrFollowerException("This broker no longer leads the partition: " + e.getMessage());
        }
        if (e instanceof StorageException && api != null) {
            switch (api) {
                case FIND_COORDINATOR, JOIN_GROUP, SYNC_GROUP, HEARTBEAT, LEAVE_GROUP, OFFSET_COMMIT, OFFSET_FETCH,
                     DESCRIBE_GROUPS, LIST_GROUPS, DELETE_GROUPS, OFFSET_DELETE, SHARE_GROUP_HEARTBEAT, SHARE_GROUP_DESCRIBE,
                     DESCRIBE_SHARE_GROUP_OFFSETS, ALTER_SHARE_GROUP_OFFSETS, DELETE_SHARE_GROUP_OFFSETS -> {
                    return new CoordinatorNotAvailableException("The group coordinator's storage is unavailable: " + e.getMessage());
                }
                case FETCH, LIST_OFFSETS, OFFSET_FOR_LEADER_EPOCH, SHARE_FETCH, SHARE_ACKNOWLEDGE -> {
                    return new KafkaStorageException(e.getMessage());
                }
                default -> {
                    // The codes below.
                }
            }
        }
        if (e instanceof StorageException.Timeout) {
            return new TimeoutException(e.getMessage());
        }
        if (e instanceof StorageException) {
            return new KafkaStorageException(e.getMessage());
        }
        return new UnknownServerException(e.toString());
    }
}
