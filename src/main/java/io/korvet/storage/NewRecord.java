package io.korvet.storage;

import org.apache.kafka.common.header.Header;

/** A record about to be appended; its offset is assigned by the partition leader. */
public record NewRecord(long timestamp, byte[] key, byte[] value, Header[] headers) {

    /** The bytes this record takes in a stream entry, roughly: what fetch sizing estimates from. */
    public int approximateSize() {
        int size = 24 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        if (headers != null) {
            for (Header h : headers) {
                size += h.key().length() + (h.value() == null ? 0 : h.value().length) + 4;
            }
        }
        return size;
    }
}
