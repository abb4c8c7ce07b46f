package io.korvet.it.fuzz;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.ArrayOf;
import org.apache.kafka.common.protocol.types.BoundField;
import org.apache.kafka.common.protocol.types.CompactArrayOf;
import org.apache.kafka.common.protocol.types.NullableSchema;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.TaggedFields;
import org.apache.kafka.common.protocol.types.Type;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Where the fields of a request frame are: walks the frame (header, then body) along kafka-clients' own
 * request schema for its API and version, and lists every integer, length prefix, string and record set it
 * passes, with their byte positions, so that mutations can aim at counts, lengths and values instead of
 * random bytes. A frame that does not follow its schema yields the fields found up to that point.
 */
public final class FrameLayout {

    /** What sits at a position. */
    public enum Kind {
        INT8, INT16, INT32, INT64, VARINT, VARLONG, UUID, FIXED,
        /** Array element count: int32, or unsigned varint of count + 1 in flexible versions; its data is the first element. */
        ARRAY_INT32, ARRAY_UVARINT,
        /** String length: int16, or unsigned varint of length + 1. */
        STRING_INT16, STRING_UVARINT,
        /** Bytes length: int32, or unsigned varint of length + 1. */
        BYTES_INT32, BYTES_UVARINT,
        /** A record set: int32 length, or unsigned varint of length + 1. */
        RECORDS_INT32, RECORDS_UVARINT,
        /** Number of tagged fields, and a tagged field's size (plain unsigned varints). */
        TAG_COUNT, TAG_SIZE
    }

    /**
     * One field.
     *
     * @param pos where it starts (for length-prefixed fields, the prefix)
     * @param width the bytes of the integer or prefix
     * @param dataStart where the content of a length-prefixed field starts (-1 when null or not prefixed)
     * @param dataLength the bytes of that content
     * @param inHeader whether it is part of the request header
     */
    public record Spot(Kind kind, int pos, int width, int dataStart, int dataLength, boolean inHeader) {

        public boolean isCount() {
            return kind == Kind.ARRAY_INT32 || kind == Kind.ARRAY_UVARINT || kind == Kind.TAG_COUNT;
        }

        public boolean isLength() {
            return kind == Kind.STRING_INT16 || kind == Kind.STRING_UVARINT || kind == Kind.BYTES_INT32
                    || kind == Kind.BYTES_UVARINT || kind == Kind.RECORDS_INT32 || kind == Kind.RECORDS_UVARINT
                    || kind == Kind.TAG_SIZE;
        }

        public boolean isString() {
            return kind == Kind.STRING_INT16 || kind == Kind.STRING_UVARINT;
        }

        public boolean isBytes() {
            return kind == Kind.BYTES_INT32 || kind == Kind.BYTES_UVARINT;
        }

        public boolean isRecords() {
            return kind == Kind.RECORDS_INT32 || kind == Kind.RECORDS_UVARINT;
        }

        public boolean isPlainInt() {
            return kind == Kind.INT8 || kind == Kind.INT16 || kind == Kind.INT32 || kind == Kind.INT64
                    || kind == Kind.VARINT || kind == Kind.VARLONG;
        }

        /** Whether the prefix is an unsigned varint (of length + 1, except for tag sizes). */
        public boolean varintPrefix() {
            return kind == Kind.ARRAY_UVARINT || kind == Kind.STRING_UVARINT || kind == Kind.BYTES_UVARINT
                    || kind == Kind.RECORDS_UVARINT || kind == Kind.TAG_COUNT || kind == Kind.TAG_SIZE;
        }
    }

    private final ByteBuffer buf;
    private final List<Spot> spots = new ArrayList<>();
    private boolean header = true;
    private int bodyStart = -1;

    private FrameLayout(byte[] frame) {
        this.buf = ByteBuffer.wrap(frame);
    }

    /** The fields of a frame (without size prefix) of {@code apiKey} at {@code version}, as far as they can be read. */
    public static List<Spot> of(byte[] frame, short apiKey, short version) {
        FrameLayout layout = new FrameLayout(frame);
        try {
            layout.walk(apiKey, version);
        } catch (RuntimeException e) {
            // The frame stops following its schema here: keep what was found.
        }
        return layout.spots;
    }

    /** Where the body starts (after the header), or -1 if the header could not be read. */
    public static int bodyStart(byte[] frame, short apiKey, short version) {
        FrameLayout layout = new FrameLayout(frame);
        try {
            layout.walk(apiKey, version);
        } catch (RuntimeException e) {
            // as far as it goes
        }
        return layout.bodyStart;
    }

    private void walk(short apiKey, short version) {
        fixed(Kind.INT16, 2);
        fixed(Kind.INT16, 2);
        fixed(Kind.INT32, 4);
        string(false); // client id: always an int16-prefixed nullable string
        ApiKeys key = ApiKeys.forId(apiKey);
        if (key.requestHeaderVersion(version) >= 2) {
            taggedFields();
        }
        header = false;
        bodyStart = buf.position();
        Schema[] schemas = ApiMessageType.fromApiKey(apiKey).requestSchemas();
        if (version < 0 || version >= schemas.length || schemas[version] == null) {
            return;
        }
        type(schemas[version]);
    }

    private void type(Type type) {
        if (type instanceof NullableSchema nullable) {
            int pos = buf.position();
            byte marker = buf.get();
            add(Kind.INT8, pos, 1, -1, 0);
            if (marker >= 0) {
                for (BoundField f : nullable.fields()) {
                    type(f.def.type);
                }
            }
        } else if (type instanceof Schema schema) {
            for (BoundField f : schema.fields()) {
                type(f.def.type);
            }
        } else if (type instanceof TaggedFields) {
            taggedFields();
        } else if (type instanceof CompactArrayOf) {
            int pos = buf.position();
            int n = ByteUtils.readUnsignedVarint(buf) - 1;
            array(Kind.ARRAY_UVARINT, pos, buf.position() - pos, type, n);
        } else if (type instanceof ArrayOf) {
            int pos = buf.position();
            int n = buf.getInt();
            array(Kind.ARRAY_INT32, pos, 4, type, n);
        } else if (type == Type.BOOLEAN || type == Type.INT8) {
            fixed(Kind.INT8, 1);
        } else if (type == Type.INT16 || type == Type.UINT16) {
            fixed(Kind.INT16, 2);
        } else if (type == Type.INT32 || type == Type.UNSIGNED_INT32) {
            fixed(Kind.INT32, 4);
        } else if (type == Type.INT64) {
            fixed(Kind.INT64, 8);
        } else if (type == Type.FLOAT64) {
            fixed(Kind.FIXED, 8);
        } else if (type == Type.UUID) {
            fixed(Kind.UUID, 16);
        } else if (type == Type.VARINT) {
            int pos = buf.position();
            ByteUtils.readVarint(buf);
            add(Kind.VARINT, pos, buf.position() - pos, -1, 0);
        } else if (type == Type.VARLONG) {
            int pos = buf.position();
            ByteUtils.readVarlong(buf);
            add(Kind.VARLONG, pos, buf.position() - pos, -1, 0);
        } else if (type == Type.STRING || type == Type.NULLABLE_STRING) {
            string(false);
        } else if (type == Type.COMPACT_STRING || type == Type.COMPACT_NULLABLE_STRING) {
            string(true);
        } else if (type == Type.BYTES || type == Type.NULLABLE_BYTES) {
            int32Prefixed(Kind.BYTES_INT32);
        } else if (type == Type.COMPACT_BYTES || type == Type.COMPACT_NULLABLE_BYTES) {
            varintPrefixed(Kind.BYTES_UVARINT);
        } else if (type == Type.RECORDS || type == Type.NULLABLE_RECORDS) {
            int32Prefixed(Kind.RECORDS_INT32);
        } else if (type == Type.COMPACT_RECORDS || type == Type.COMPACT_NULLABLE_RECORDS) {
            varintPrefixed(Kind.RECORDS_UVARINT);
        } else {
            throw new IllegalStateException("no walker for " + type);
        }
    }

    /** An array: its count, then its elements; the spot's data is the first element's bytes. */
    private void array(Kind kind, int pos, int width, Type arrayType, int n) {
        int index = spots.size();
        add(kind, pos, width, -1, 0);
        if (n <= 0) {
            return;
        }
        if (n > buf.remaining()) {
            throw new IllegalStateException("count " + n + " past the end");
        }
        Type element = arrayType.arrayElementType().orElseThrow();
        int first = buf.position();
        type(element);
        spots.set(index, new Spot(kind, pos, width, first, buf.position() - first, header));
        for (int i = 1; i < n; i++) {
            type(element);
        }
    }

    private void fixed(Kind kind, int width) {
        int pos = buf.position();
        buf.position(pos + width);
        add(kind, pos, width, -1, 0);
    }

    private void string(boolean compact) {
        if (compact) {
            varintPrefixed(Kind.STRING_UVARINT);
            return;
        }
        int pos = buf.position();
        int len = buf.getShort();
        skipContent(Kind.STRING_INT16, pos, 2, len);
    }

    private void int32Prefixed(Kind kind) {
        int pos = buf.position();
        int len = buf.getInt();
        skipContent(kind, pos, 4, len);
    }

    private void varintPrefixed(Kind kind) {
        int pos = buf.position();
        int len = ByteUtils.readUnsignedVarint(buf) - 1;
        skipContent(kind, pos, buf.position() - pos, len);
    }

    private void skipContent(Kind kind, int pos, int width, int len) {
        if (len < 0) {
            add(kind, pos, width, -1, 0);
            return;
        }
        int start = buf.position();
        buf.position(start + len); // throws past the end
        add(kind, pos, width, start, len);
    }

    private void taggedFields() {
        int pos = buf.position();
        int n = ByteUtils.readUnsignedVarint(buf);
        add(Kind.TAG_COUNT, pos, buf.position() - pos, -1, 0);
        for (int i = 0; i < n; i++) {
            ByteUtils.readUnsignedVarint(buf); // tag
            int sizePos = buf.position();
            int size = ByteUtils.readUnsignedVarint(buf);
            int start = buf.position();
            buf.position(start + size);
            add(Kind.TAG_SIZE, sizePos, start - sizePos, start, size);
        }
    }

    private void add(Kind kind, int pos, int width, int dataStart, int dataLength) {
        spots.add(new Spot(kind, pos, width, dataStart, dataLength, header));
    }
}
