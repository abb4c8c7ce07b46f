package io.korvet.storage;

import org.apache.kafka.common.header.Header;

/**
 * One record as kept in a partition stream: its offset, timestamp, key, value and headers (null key or
 * value kept as null), and, on the first record of a produce batch, that batch's header.
 */
public record StoredRecord(long offset, long timestamp, byte[] key, byte[] value, Header[] headers, BatchHeader batch) {
}
