package io.korvet.storage;

/**
 * An aborted transaction of one partition, as Fetch's {@code aborted_transactions} names it: its producer, the offset
 * of its first record in the partition, and the offset of its abort marker.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset) {

    /** {@code "<pid> <first> <last>"}, as the transaction index keeps it. */
    public static AbortedTxn decode(String text) {
        String[] p = text.split(" ");
        return new AbortedTxn(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
    }
}
