package io.korvet.storage.redis;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A record's entry fields collected as name/value arrays, for tests that look at what the broker writes. */
final class EntryFields {

    private EntryFields() {
    }

    /** The field/value pairs of a record's entry, in the order {@link StreamEntryCodec#writeFields} writes them. */
    static byte[][] of(NewRecord r, BatchHeader batch) {
        List<byte[]> out = new ArrayList<>();
        StreamEntryCodec.writeFields(r, batch, new StreamEntryCodec.FieldSink() {
            @Override
            public void field(byte[] name, byte[] value) {
                out.add(name);
                out.add(value);
            }

            @Override
            public void field(byte[] name, long number) {
                field(name, Long.toString(number).getBytes(StandardCharsets.US_ASCII));
            }
        });
        return out.toArray(new byte[0][]);
    }
}
