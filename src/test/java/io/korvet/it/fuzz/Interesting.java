package io.korvet.it.fuzz;

import java.util.Random;

/** Values that tend to break parsers and handlers: bounds, off-by-ones, signs, and a few random ones. */
final class Interesting {

    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

    private static final String[] STRINGS = {
        "", " ", ".", "..", "-", "_", ":", "a:b", "a:1", "korvet:x:0", "__consumer_offsets", "__transaction_state",
        "topic with spaces", "slash/name", "new\nline", "tab\tname", "équipe", "тема", "主题", "\u0000", "\uFFFF",
        "\uD83D\uDE00", "=", "a=b", "key=value\nother=1", ",", "delete,compact", "compact", "delete", ",,",
        "-1", "-2", "0", "1", "2", "1000", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "1e309", "NaN", "Infinity", "-0", " 5 ", "0x10", "1.5",
        "true", "false", "TRUE", "LogAppendTime", "CreateTime", "producer", "zstd", "gzip", "none", "uncompressed",
        "retention.ms", "retention.bytes", "cleanup.policy", "max.message.bytes", "min.insync.replicas",
        "message.timestamp.type", "compression.type", "segment.bytes", "min.cleanable.dirty.ratio",
        "log.retention.ms", "log.retention.bytes", "log.retention.hours", "num.partitions", "message.max.bytes",
        "auto.create.topics.enable", "unknown.config", "consumer", "range", "roundrobin", "cooperative-sticky",
        "classic", "Stable", "Empty", "Dead", "PreparingRebalance",
    };

    private Interesting() {
    }

    static int int8(Random r) {
        int[] v = {0, 1, -1, 2, 3, 127, -128, 0x10, 0x20};
        return r.nextInt(4) == 0 ? r.nextInt(256) - 128 : v[r.nextInt(v.length)];
    }

    static int int16(Random r, int current) {
        int[] v = {0, 1, -1, -2, 2, 3, 127, 128, 255, 256, Short.MAX_VALUE, Short.MIN_VALUE, current + 1, current - 1};
        return r.nextInt(5) == 0 ? r.nextInt(65536) - 32768 : v[r.nextInt(v.length)];
    }

    static int int32(Random r, int current) {
        int[] v = {0, 1, -1, -2, 2, 3, 100, 1000, 9999, 10_000, 10_001, 65_535, 65_536, 1 << 20, 100_000_000,
            Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1, current + 1, current - 1,
            current * 2, -current};
        return r.nextInt(5) == 0 ? r.nextInt() : v[r.nextInt(v.length)];
    }

    static long int64(Random r, long current) {
        long[] v = {0, 1, -1, -2, -3, 2, 1000, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 32, Long.MAX_VALUE,
            Long.MIN_VALUE, Long.MAX_VALUE - 1, System.currentTimeMillis(), System.currentTimeMillis() + 86_400_000L,
            current + 1, current - 1, current * 2};
        return r.nextInt(5) == 0 ? r.nextLong() : v[r.nextInt(v.length)];
    }

    /** An unsigned varint's raw value (a count or length + 1, 0 meaning null). */
    static int uvarint(Random r, int currentLength) {
        int[] v = {0, 1, 2, currentLength, currentLength + 2, 127, 128, 16_384, 10_001, 1 << 20, Integer.MAX_VALUE, -1, -2};
        return r.nextInt(5) == 0 ? r.nextInt() : v[r.nextInt(v.length)];
    }

    static byte oneByte(Random r) {
        byte[] v = {0, -1, 0x7f, (byte) 0x80, 1, 2};
        return r.nextBoolean() ? (byte) r.nextInt(256) : v[r.nextInt(v.length)];
    }

    static String string(Random r) {
        switch (r.nextInt(5)) {
            case 0, 1 -> {
                return STRINGS[r.nextInt(STRINGS.length)];
            }
            case 2 -> {
                // A topic-like name, often at or around the 249-character limit.
                int[] lengths = {1, 2, 248, 249, 250, 255, 256, 300, 1 + r.nextInt(40)};
                return name(r, lengths[r.nextInt(lengths.length)]);
            }
            case 3 -> {
                if (r.nextInt(4) == 0) {
                    // Long ASCII: names and values at or near the protocol's 32,767-byte limit, which error messages
                    // that quote them would pass.
                    int[] lengths = {1000, 32_000, 32_700, 32_767 - r.nextInt(100), 32_767};
                    return name(r, lengths[r.nextInt(lengths.length)]);
                }
                return name(r, 1 + r.nextInt(12)) + STRINGS[r.nextInt(STRINGS.length)];
            }
            default -> {
                StringBuilder s = new StringBuilder();
                int n = r.nextInt(8) == 0 ? 1000 + r.nextInt(20_000) : r.nextInt(40);
                for (int i = 0; i < n; i++) {
                    s.append((char) (r.nextBoolean() ? 32 + r.nextInt(95) : r.nextInt(0xD7FF)));
                }
                return s.toString();
            }
        }
    }

    private static String name(Random r, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(NAME_CHARS.charAt(r.nextInt(NAME_CHARS.length())));
        }
        return s.toString();
    }
}
