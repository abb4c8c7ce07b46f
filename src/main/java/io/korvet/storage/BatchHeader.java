package io.korvet.storage;

/**
 * Facts about a produce batch that ride on the first entry of that batch in the stream, so that
 * idempotent-producer state and batch boundaries can be rebuilt from Redis alone.
 * Stored as the text {@code producerId,producerEpoch,baseSequence,recordCount,timestampType}.
 */
public record BatchHeader(long producerId, short producerEpoch, int baseSequence, int recordCount, byte timestampType) {

    public static final byte CREATE_TIME = 0;
    public static final byte LOG_APPEND_TIME = 1;

    public String encode() {
        return producerId + "," + producerEpoch + "," + baseSequence + "," + recordCount + "," + timestampType;
    }

    public static BatchHeader decode(String text) {
        String[] parts = text.split(",");
        if (parts.length != 5) {
            throw new IllegalArgumentException("malformed batch header '" + text + "'");
        }
        return new BatchHeader(Long.parseLong(parts[0]), Short.parseShort(parts[1]), Integer.parseInt(parts[2]),
                Integer.parseInt(parts[3]), Byte.parseByte(parts[4]));
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
