package io.korvet.storage;

import java.nio.ByteBuffer;

/**
 * A record batch about to be appended as one entry of a {@code batch}-format stream: its v2 bytes as Fetch will
 * return them (the caller writes the base offset into them), and the facts kept beside them as readable fields.
 *
 * @param header the producer fields and record count
 * @param maxTimestamp the batch's max timestamp (LogAppendTime stamped where the topic asks for it)
 * @param transactional whether the batch is part of a transaction
 * @param control whether it is a control batch (a transaction marker)
 * @param bytes the whole batch, from its base offset field to its last record
 */
public record NewBatch(BatchHeader header, long maxTimestamp, boolean transactional, boolean control, ByteBuffer bytes) {

    /** The {@code flags} field: {@code t} for transactional, {@code c} for control, both, or empty. */
    public String flags() {
        return (transactional ? "t" : "") + (control ? "c" : "");
    }
}
