package io.korvet.log;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import java.util.List;

/** A produce batch that passed validation, ready to be appended. */
public record IncomingBatch(BatchHeader header, List<NewRecord> records, long logAppendTime) {

    public boolean idempotent() {
        return header.producerId() >= 0;
    }

    public int approximateBytes() {
        int size = 0;
        for (NewRecord r : records) {
            size += r.approximateSize();
        }
        return size;
    }
}
