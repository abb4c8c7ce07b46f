package io.korvet.it.fuzz;

import io.korvet.it.fuzz.FrameLayout.Spot;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Makes fuzz cases, each from its own {@link Random} seeded with the run's seed and the case number, so a
 * case can be made again from its number alone. Kinds: random bytes; a right size prefix with a random
 * body; a valid header with a random body; and mutations of well-formed requests (captured from real clients
 * or built with kafka-clients): bytes, lengths, size prefix, versions, header, counts, strings, integers, and
 * record batches (header fields, CRC, attributes, record count, varints inside records).
 */
public final class FuzzCases {

    /** A request to start from: its API, version, frame (without size prefix) and field layout. */
    public record Seed(short apiKey, short version, byte[] frame, List<Spot> spots, String origin) {
        public static Seed of(short apiKey, short version, byte[] frame, String origin) {
            return new Seed(apiKey, version, frame, FrameLayout.of(frame, apiKey, version), origin);
        }

        List<Spot> spots(java.util.function.Predicate<Spot> filter) {
            return spots.stream().filter(filter).toList();
        }
    }

    /** One case: what it is and the exact bytes to send. */
    public record Case(int index, Kind kind, short apiKey, short version, byte[] wire, String note) {
    }

    public enum Kind {
        RANDOM_BYTES(4), SIZED_RANDOM_BODY(4), VALID_HEADER_RANDOM_BODY(6), REPLAY(4),
        BIT_FLIP(8), BYTE_REPLACE(6), TRUNCATE(6), EXTEND(4), SIZE_PREFIX(4), VERSION(6), HEADER(3),
        COUNT(9), LENGTH(7), STRING_VALUE(8), INT_FIELD(10), REPEAT(4), BATCH_HEADER(6), BATCH_RECORDS(5);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    private static final int TOTAL_WEIGHT = Arrays.stream(Kind.values()).mapToInt(k -> k.weight).sum();

    private final long runSeed;
    /** Seeds by (API, version), so every advertised pair is picked equally often. */
    private final List<List<Seed>> byPair;
    private final List<Seed> produceWithBatches;
    private final Map<Short, short[]> advertised;
    private final int maxFrameBytes;

    public FuzzCases(long runSeed, List<Seed> seeds, Map<Short, short[]> advertised, int maxFrameBytes) {
        this.runSeed = runSeed;
        this.advertised = new TreeMap<>(advertised);
        this.maxFrameBytes = maxFrameBytes;
        Map<String, List<Seed>> pairs = new TreeMap<>();
        for (Seed s : seeds) {
            pairs.computeIfAbsent(String.format("%05d/%05d", s.apiKey, s.version), k -> new ArrayList<>()).add(s);
        }
        this.byPair = new ArrayList<>(pairs.values());
        this.produceWithBatches = seeds.stream()
                .filter(s -> s.apiKey == ApiKeys.PRODUCE.id)
                .filter(s -> s.spots.stream().anyMatch(p -> p.isRecords() && p.dataLength() >= BatchMutator.RECORDS_OFFSET))
                .toList();
        if (byPair.isEmpty()) {
            throw new IllegalArgumentException("no seeds");
        }
    }

    public Case make(int index) {
        Random r = new Random(runSeed * 0x9E3779B97F4A7C15L + index);
        int pick = r.nextInt(TOTAL_WEIGHT);
        Kind kind = Kind.values()[0];
        for (Kind k : Kind.values()) {
            if (pick < k.weight) {
                kind = k;
                break;
            }
            pick -= k.weight;
        }
        if ((kind == Kind.BATCH_HEADER || kind == Kind.BATCH_RECORDS) && produceWithBatches.isEmpty()) {
            kind = Kind.BIT_FLIP;
        }
        return switch (kind) {
            case RANDOM_BYTES -> randomBytes(index, r);
            case SIZED_RANDOM_BODY -> sizedRandom(index, r);
            case VALID_HEADER_RANDOM_BODY -> headerRandomBody(index, r);
            default -> mutation(index, kind, r);
        };
    }

    private Case randomBytes(int index, Random r) {
        byte[] bytes = new byte[r.nextInt(300)];
        r.nextBytes(bytes);
        return new Case(index, Kind.RANDOM_BYTES, (short) -1, (short) -1, bytes, "");
    }

    private Case sizedRandom(int index, Random r) {
        byte[] body = new byte[r.nextInt(300)];
        r.nextBytes(body);
        short key = body.length >= 2 ? ByteBuffer.wrap(body).getShort(0) : -1;
        return new Case(index, Kind.SIZED_RANDOM_BODY, key, (short) -1, prefixed(body), "");
    }

    private Case headerRandomBody(int index, Random r) {
        List<Short> keys = new ArrayList<>(advertised.keySet());
        short key = keys.get(r.nextInt(keys.size()));
        short[] range = advertised.get(key);
        short version = (short) (range[0] + r.nextInt(range[1] - range[0] + 1));
        boolean flexible = ApiKeys.forId(key).requestHeaderVersion(version) >= 2;
        byte[] clientId = "fuzz".getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(10 + clientId.length + (flexible ? 1 : 0));
        header.putShort(key).putShort(version).putInt(index).putShort((short) clientId.length).put(clientId);
        if (flexible) {
            header.put((byte) 0);
        }
        byte[] body = new byte[r.nextInt(r.nextBoolean() ? 16 : 400)];
        r.nextBytes(body);
        return new Case(index, Kind.VALID_HEADER_RANDOM_BODY, key, version, prefixed(concat(header.array(), body)), "");
    }

    private Case mutation(int index, Kind kind, Random r) {
        Seed seed;
        if (kind == Kind.BATCH_HEADER || kind == Kind.BATCH_RECORDS) {
            seed = produceWithBatches.get(r.nextInt(produceWithBatches.size()));
        } else {
            List<Seed> pair = byPair.get(r.nextInt(byPair.size()));
            seed = pair.get(r.nextInt(pair.size()));
        }
        byte[] frame = seed.frame.clone();
        if (frame.length >= 8) {
            ByteBuffer.wrap(frame).putInt(4, index); // the correlation id names the case
        }
        StringBuilder note = new StringBuilder(seed.origin);
        byte[] wire = switch (kind) {
            case REPLAY -> prefixed(frame);
            case BIT_FLIP -> {
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips && frame.length > 0; i++) {
                    int pos = r.nextInt(frame.length);
                    frame[pos] ^= (byte) (1 << r.nextInt(8));
                }
                yield prefixed(frame);
            }
            case BYTE_REPLACE -> {
                int n = 1 + r.nextInt(8);
                for (int i = 0; i < n && frame.length > 0; i++) {
                    frame[r.nextInt(frame.length)] = Interesting.oneByte(r);
                }
                yield prefixed(frame);
            }
            case TRUNCATE -> prefixed(Arrays.copyOf(frame, frame.length == 0 ? 0 : r.nextInt(frame.length)));
            case EXTEND -> {
                byte[] extra = new byte[1 + r.nextInt(64)];
                r.nextBytes(extra);
                yield prefixed(concat(frame, extra));
            }
            case SIZE_PREFIX -> sizePrefix(frame, r, note);
            case VERSION -> {
                short version = otherVersion(seed.apiKey, seed.version, r);
                note.append(" v").append(seed.version).append("->").append(version);
                ByteBuffer.wrap(frame).putShort(2, version);
                yield prefixed(frame);
            }
            case HEADER -> prefixed(header(frame, r, note));
            case COUNT -> prefixed(fieldMutation(seed, frame, r, Spot::isCount, note));
            case LENGTH -> prefixed(fieldMutation(seed, frame, r, Spot::isLength, note));
            case STRING_VALUE -> prefixed(stringValue(seed, frame, r, note));
            case INT_FIELD -> prefixed(fieldMutation(seed, frame, r, s -> s.isPlainInt() && !s.inHeader(), note));
            case REPEAT -> prefixed(repeat(seed, frame, r, note));
            case BATCH_HEADER -> prefixed(BatchMutator.header(seed, frame, r, note));
            case BATCH_RECORDS -> prefixed(BatchMutator.records(seed, frame, r, note));
            default -> throw new IllegalStateException(kind.name());
        };
        return new Case(index, kind, seed.apiKey, seed.version, wire, note.toString());
    }

    /** A size prefix that does not match the body: longer (the frame never completes), shorter, negative or huge. */
    private byte[] sizePrefix(byte[] frame, Random r, StringBuilder note) {
        long size = switch (r.nextInt(6)) {
            case 0 -> frame.length + 1 + r.nextInt(16);
            case 1 -> frame.length + 1 + r.nextInt(1 << 20);
            case 2 -> frame.length == 0 ? 0 : r.nextInt(frame.length);
            case 3 -> -1 - r.nextInt(1000);
            case 4 -> maxFrameBytes + 1L + r.nextInt(1000);
            default -> Interesting.int32(r, frame.length);
        };
        note.append(" size ").append((int) size).append(" for ").append(frame.length);
        return ByteBuffer.allocate(4 + frame.length).putInt((int) size).put(frame).array();
    }

    private short otherVersion(short apiKey, short current, Random r) {
        short[] range = advertised.get(apiKey);
        int choice = r.nextInt(4);
        if (range != null && choice < 2 && range[1] > range[0]) {
            short v;
            do {
                v = (short) (range[0] + r.nextInt(range[1] - range[0] + 1));
            } while (v == current);
            return v;
        }
        if (range != null && choice == 2) {
            return r.nextBoolean() ? (short) (range[0] - 1 - r.nextInt(3)) : (short) (range[1] + 1 + r.nextInt(3));
        }
        return (short) Interesting.int16(r, current);
    }

    private byte[] header(byte[] frame, Random r, StringBuilder note) {
        if (frame.length < 4) {
            return frame;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        switch (r.nextInt(3)) {
            case 0 -> {
                List<Short> keys = new ArrayList<>(advertised.keySet());
                short key = keys.get(r.nextInt(keys.size()));
                note.append(" api ").append(b.getShort(0)).append("->").append(key);
                b.putShort(0, key);
            }
            case 1 -> {
                short key = (short) Interesting.int16(r, b.getShort(0));
                note.append(" api ").append(b.getShort(0)).append("->").append(key);
                b.putShort(0, key);
            }
            default -> {
                // Both: another API at one of its versions, with this body.
                List<Short> keys = new ArrayList<>(advertised.keySet());
                short key = keys.get(r.nextInt(keys.size()));
                short[] range = advertised.get(key);
                short version = (short) (range[0] + r.nextInt(range[1] - range[0] + 1));
                note.append(" api/version ").append(key).append('/').append(version);
                b.putShort(0, key).putShort(2, version);
            }
        }
        return frame;
    }

    /** Sets one integer, count or length prefix chosen by {@code filter} to an interesting value. */
    private static byte[] fieldMutation(Seed seed, byte[] frame, Random r, java.util.function.Predicate<Spot> filter,
                                        StringBuilder note) {
        List<Spot> spots = seed.spots(filter);
        if (spots.isEmpty()) {
            frame[r.nextInt(Math.max(1, frame.length)) % Math.max(1, frame.length)] ^= (byte) 0xff;
            note.append(" (no field: byte flipped)");
            return frame;
        }
        Spot s = spots.get(r.nextInt(spots.size()));
        note.append(' ').append(s.kind()).append('@').append(s.pos());
        return setInteger(frame, s, r);
    }

    static byte[] setInteger(byte[] frame, Spot s, Random r) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        switch (s.kind()) {
            case INT8 -> b.put(s.pos(), (byte) Interesting.int8(r));
            case INT16, STRING_INT16 -> b.putShort(s.pos(), (short) Interesting.int16(r, b.getShort(s.pos())));
            case INT32, ARRAY_INT32, BYTES_INT32, RECORDS_INT32 -> b.putInt(s.pos(), Interesting.int32(r, b.getInt(s.pos())));
            case INT64 -> b.putLong(s.pos(), Interesting.int64(r, b.getLong(s.pos())));
            case VARINT -> {
                ByteBuffer v = ByteBuffer.allocate(5);
                ByteUtils.writeVarint(Interesting.int32(r, 0), v);
                return splice(frame, s.pos(), s.pos() + s.width(), Arrays.copyOf(v.array(), v.position()));
            }
            case VARLONG -> {
                ByteBuffer v = ByteBuffer.allocate(10);
                ByteUtils.writeVarlong(Interesting.int64(r, 0), v);
                return splice(frame, s.pos(), s.pos() + s.width(), Arrays.copyOf(v.array(), v.position()));
            }
            case ARRAY_UVARINT, STRING_UVARINT, BYTES_UVARINT, RECORDS_UVARINT, TAG_COUNT, TAG_SIZE -> {
                int current = s.dataStart() >= 0 ? s.dataLength() : 0;
                return splice(frame, s.pos(), s.pos() + s.width(), uvarint(Interesting.uvarint(r, current)));
            }
            default -> {
                for (int i = 0; i < s.width(); i++) {
                    b.put(s.pos() + i, (byte) r.nextInt(256));
                }
            }
        }
        return frame;
    }

    /**
     * Repeats an array's first element (2 to 2,000 times in all) and sets the count to match: a well-formed request
     * that asks for the same thing many times (the same partition fetched or written again and again).
     */
    private static byte[] repeat(Seed seed, byte[] frame, Random r, StringBuilder note) {
        List<Spot> arrays = seed.spots(s -> (s.kind() == FrameLayout.Kind.ARRAY_INT32 || s.kind() == FrameLayout.Kind.ARRAY_UVARINT)
                && s.dataStart() >= 0 && s.dataLength() > 0 && !s.inHeader());
        if (arrays.isEmpty()) {
            note.append(" (no array)");
            return frame;
        }
        Spot s = arrays.get(r.nextInt(arrays.size()));
        ByteBuffer b = ByteBuffer.wrap(frame);
        int count = s.kind() == FrameLayout.Kind.ARRAY_INT32 ? b.getInt(s.pos()) : ByteUtils.readUnsignedVarint(b.position(s.pos())) - 1;
        int[] extras = {1, 2, 9, 99, 999, 1 + r.nextInt(2_000)};
        int extra = extras[r.nextInt(extras.length)];
        note.append(" first element of the array @").append(s.pos()).append(" repeated ").append(extra).append(" more times");
        byte[] element = Arrays.copyOfRange(frame, s.dataStart(), s.dataStart() + s.dataLength());
        ByteArrayOutputStream copies = new ByteArrayOutputStream(element.length * (extra + 1));
        for (int i = 0; i <= extra; i++) {
            copies.writeBytes(element);
        }
        byte[] withCopies = splice(frame, s.dataStart(), s.dataStart() + s.dataLength(), copies.toByteArray());
        byte[] countBytes = s.kind() == FrameLayout.Kind.ARRAY_INT32
                ? ByteBuffer.allocate(4).putInt(count + extra).array()
                : uvarint(count + extra + 1);
        return splice(withCopies, s.pos(), s.pos() + s.width(), countBytes);
    }

    /** Replaces a string's or bytes field's content (and its length prefix) with an interesting value. */
    private static byte[] stringValue(Seed seed, byte[] frame, Random r, StringBuilder note) {
        List<Spot> spots = seed.spots(s -> (s.isString() || s.isBytes()) && !s.inHeader());
        if (spots.isEmpty()) {
            spots = seed.spots(s -> s.isString() || s.isBytes());
        }
        if (spots.isEmpty()) {
            note.append(" (no string)");
            return frame;
        }
        Spot s = spots.get(r.nextInt(spots.size()));
        byte[] content = s.isString() ? Interesting.string(r).getBytes(StandardCharsets.UTF_8) : randomBytes(r);
        if (s.kind() == FrameLayout.Kind.STRING_INT16 && content.length > Short.MAX_VALUE) {
            content = Arrays.copyOf(content, Short.MAX_VALUE);
        }
        note.append(' ').append(s.kind()).append('@').append(s.pos()).append(" := ")
                .append(content.length > 40 ? content.length + " bytes" : new String(content, StandardCharsets.UTF_8));
        return replaceContent(frame, s, content);
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(4) == 0 ? r.nextInt(5000) : r.nextInt(64)];
        r.nextBytes(b);
        return b;
    }

    // ---- byte helpers ----

    /** The field's content replaced, its length prefix rewritten in the same encoding. */
    static byte[] replaceContent(byte[] frame, Spot s, byte[] content) {
        int contentStart = s.pos() + s.width();
        int contentEnd = s.dataStart() < 0 ? contentStart : s.dataStart() + s.dataLength();
        byte[] prefix = switch (s.kind()) {
            case STRING_INT16 -> ByteBuffer.allocate(2).putShort((short) content.length).array();
            case BYTES_INT32, RECORDS_INT32 -> ByteBuffer.allocate(4).putInt(content.length).array();
            case TAG_SIZE -> uvarint(content.length);
            default -> uvarint(content.length + 1);
        };
        return splice(frame, s.pos(), contentEnd, concat(prefix, content));
    }

    static byte[] uvarint(int value) {
        ByteBuffer b = ByteBuffer.allocate(5);
        ByteUtils.writeUnsignedVarint(value, b);
        return Arrays.copyOf(b.array(), b.position());
    }

    static byte[] splice(byte[] data, int from, int to, byte[] replacement) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + replacement.length);
        out.write(data, 0, from);
        out.writeBytes(replacement);
        out.write(data, to, data.length - to);
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    public static byte[] prefixed(byte[] frame) {
        return ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array();
    }
}
