package io.korvet.storage.redis;

import java.util.Arrays;

/** A Redis command in RESP, written into one growing array: array headers and bulk strings. */
final class RespWriter {

    private static final byte[] DIGITS_MIN_LONG = "-9223372036854775808".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] buf;
    private int pos;
    private final byte[] digits = new byte[20];

    RespWriter(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    /** {@code *<count>\r\n}: a command of {@code count} arguments follows. */
    RespWriter array(int count) {
        ensure(16);
        buf[pos++] = '*';
        writeNumber(count);
        return crlf();
    }

    /** One argument: {@code $<length>\r\n<bytes>\r\n}. */
    RespWriter bulk(byte[] bytes) {
        return bulk(bytes, bytes.length);
    }

    /** One argument made of the first {@code length} bytes of {@code bytes}. */
    RespWriter bulk(byte[] bytes, int length) {
        ensure(length + 24);
        buf[pos++] = '$';
        writeNumber(length);
        crlf();
        System.arraycopy(bytes, 0, buf, pos, length);
        pos += length;
        return crlf();
    }

    /** One argument: the bytes remaining in {@code bytes} (its position does not move). */
    RespWriter bulk(java.nio.ByteBuffer bytes) {
        int length = bytes.remaining();
        ensure(length + 24);
        buf[pos++] = '$';
        writeNumber(length);
        crlf();
        bytes.duplicate().get(buf, pos, length);
        pos += length;
        return crlf();
    }

    /** The head of an argument of {@code length} bytes, {@code $<length>\r\n}, whose bytes the caller writes. */
    RespWriter bulkHeader(int length) {
        ensure(24);
        buf[pos++] = '$';
        writeNumber(length);
        return crlf();
    }

    /** One argument holding {@code n} in decimal digits. */
    RespWriter bulk(long n) {
        return bulkNumber(n, null);
    }

    /** One argument holding {@code n} in decimal digits, then {@code suffix} (e.g. an entry ID's "-1"). */
    RespWriter bulkNumber(long n, byte[] suffix) {
        int len = numberLength(n) + (suffix == null ? 0 : suffix.length);
        ensure(len + 24);
        buf[pos++] = '$';
        writeNumber(len);
        crlf();
        writeNumber(n);
        if (suffix != null) {
            System.arraycopy(suffix, 0, buf, pos, suffix.length);
            pos += suffix.length;
        }
        return crlf();
    }

    /** What was written (the array itself, not a copy, when it was sized exactly). */
    byte[] toByteArray() {
        return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
    }

    private RespWriter crlf() {
        buf[pos++] = '\r';
        buf[pos++] = '\n';
        return this;
    }

    private void writeNumber(long n) {
        if (n == Long.MIN_VALUE) {
            System.arraycopy(DIGITS_MIN_LONG, 0, buf, pos, DIGITS_MIN_LONG.length);
            pos += DIGITS_MIN_LONG.length;
            return;
        }
        if (n < 0) {
            buf[pos++] = '-';
            n = -n;
        }
        int i = digits.length;
        do {
            digits[--i] = (byte) ('0' + n % 10);
            n /= 10;
        } while (n != 0);
        int count = digits.length - i;
        System.arraycopy(digits, i, buf, pos, count);
        pos += count;
    }

    static int numberLength(long n) {
        if (n == Long.MIN_VALUE) {
            return DIGITS_MIN_LONG.length;
        }
        int len = n < 0 ? 2 : 1;
        long v = Math.abs(n);
        while (v >= 10) {
            v /= 10;
            len++;
        }
        return len;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }
}
