package io.korvet.storage;

/**
 * Facts about a produce batch that ride on the first entry of that batch in the stream, so that
 * idempotent-producer state and batch boundaries can be rebuilt from Redis alone.
 * Stored as the text {@code producerId,producerEpoch,baseSequence,recordCount,timestampType}, followed by
 * {@code ,flags} when the batch is transactional or a control batch (a transaction marker).
 *
 * <p>In a {@code record}-format stream, the records after the first of a transactional batch carry a
 * <em>continuation</em> header (record count 0, sequence -1): a fetch that starts in the middle of the batch still
 * knows whose transaction its records belong to.
 */
public record BatchHeader(long producerId, short producerEpoch, int baseSequence, int recordCount, byte timestampType,
                          byte flags) {

    public static final byte CREATE_TIME = 0;
    public static final byte LOG_APPEND_TIME = 1;
    /** Flag: the batch belongs to a transaction. */
    public static final byte TRANSACTIONAL = 1;
    /** Flag: a control batch (a commit or abort marker). */
    public static final byte CONTROL = 2;
    /** Flag, with {@link #CONTROL}: the marker aborts the transaction (else it commits it). */
    public static final byte ABORT = 4;

    public BatchHeader(long producerId, short producerEpoch, int baseSequence, int recordCount, byte timestampType) {
        this(producerId, producerEpoch, baseSequence, recordCount, timestampType, (byte) 0);
    }

    public boolean transactional() {
        return (flags & TRANSACTIONAL) != 0;
    }

    public boolean control() {
        return (flags & CONTROL) != 0;
    }

    public boolean abortMarker() {
        return (flags & ABORT) != 0;
    }

    /** The header that the later records of this (transactional) batch carry in a {@code record}-format stream. */
    public BatchHeader continuation() {
        return new BatchHeader(producerId, producerEpoch, -1, 0, timestampType, flags);
    }

    /** Whether this is a continuation header: the record is not the first of its batch. */
    public boolean isContinuation() {
        return recordCount == 0;
    }

    public String encode() {
        String text = producerId + "," + producerEpoch + "," + baseSequence + "," + recordCount + "," + timestampType;
        return flags == 0 ? text : text + "," + flags;
    }

    public static BatchHeader decode(String text) {
        String[] parts = text.split(",");
        if (parts.length != 5 && parts.length != 6) {
            throw new IllegalArgumentException("malformed batch header '" + text + "'");
        }
        return new BatchHeader(Long.parseLong(parts[0]), Short.parseShort(parts[1]), Integer.parseInt(parts[2]),
                Integer.parseInt(parts[3]), Byte.parseByte(parts[4]), parts.length == 6 ? Byte.parseByte(parts[5]) : 0);
    }

    /** The sequence number of the batch's last record, wrapping as Kafka's sequences do. */
    public int lastSequence() {
        if (baseSequence < 0) {
            return baseSequence;
        }
        long last = (long) baseSequence + recordCount - 1;
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }
}
