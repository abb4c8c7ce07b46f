package io.korvet.storage;

/** Failures of the storage layer, each mapped to one Kafka error code by the dispatcher's error mapper. */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Redis cannot be reached: nothing was written. */
    public static final class Unavailable extends StorageException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Redis did not answer in time: the outcome of a write is unknown. */
    public static final class Timeout extends StorageException {
        public Timeout(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The log was not where this leader expected it: nothing was written. */
    public static final class Fenced extends StorageException {
        private final long actualNextOffset;

        public Fenced(long expected, long actualNextOffset) {
            super("expected next offset " + expected + " but the log is at " + actualNextOffset, null);
            this.actualNextOffset = actualNextOffset;
        }

        public long actualNextOffset() {
            return actualNextOffset;
        }
    }

    /** Another broker claimed the partition since this one did: nothing was written, this broker no longer leads it. */
    public static final class LeaderMoved extends StorageException {
        public LeaderMoved(String partition, int epoch) {
            super("another broker leads " + partition + " since this broker's leader epoch " + epoch, null);
        }
    }
}
