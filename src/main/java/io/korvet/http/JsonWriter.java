package io.korvet.http;

import java.util.Base64;

/**
 * A small streaming JSON writer for the admin API's answers: objects, arrays, strings, numbers, booleans and null,
 * with commas placed by the writer. Not a parser; the API reads nothing but paths and query parameters.
 */
final class JsonWriter {

    private final StringBuilder out = new StringBuilder(256);
    /** Whether the container being written already has an element (so the next one needs a comma). */
    private long hasElement;
    private int depth;
    /** Set after a name was written: the value that follows needs no comma. */
    private boolean afterName;

    JsonWriter beginObject() {
        return open('{');
    }

    JsonWriter endObject() {
        return close('}');
    }

    JsonWriter beginArray() {
        return open('[');
    }

    JsonWriter endArray() {
        return close(']');
    }

    /** An object member's name; its value is the next thing written. */
    JsonWriter name(String name) {
        separate();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String s) {
        separate();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        return this;
    }

    JsonWriter value(long n) {
        separate();
        out.append(n);
        return this;
    }

    JsonWriter value(double d) {
        separate();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(Math.round(d * 1000) / 1000.0);
        }
        return this;
    }

    JsonWriter value(boolean b) {
        separate();
        out.append(b);
        return this;
    }

    JsonWriter nullValue() {
        separate();
        out.append("null");
        return this;
    }

    /** A member whose value is a string (or null). */
    JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    /**
     * Bytes as two members: {@code name} holds the text when they are valid UTF-8, else their base64, and
     * {@code name + "Encoding"} says which ({@code text} or {@code base64}); null bytes give null and null.
     */
    JsonWriter bytesField(String name, byte[] bytes) {
        if (bytes == null) {
            return name(name).nullValue().name(name + "Encoding").nullValue();
        }
        String text = Utf8.decodeOrNull(bytes);
        if (text != null) {
            return name(name).value(text).name(name + "Encoding").value("text");
        }
        return name(name).value(Base64.getEncoder().encodeToString(bytes)).name(name + "Encoding").value("base64");
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private JsonWriter open(char c) {
        separate();
        out.append(c);
        depth++;
        if (depth >= 64) {
            throw new IllegalStateException("JSON nested too deeply");
        }
        hasElement &= ~(1L << depth);
        return this;
    }

    private JsonWriter close(char c) {
        out.append(c);
        depth--;
        return this;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            long bit = 1L << depth;
            if ((hasElement & bit) != 0) {
                out.append(',');
            }
            hasElement |= bit;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** One JSON object {@code {"name": value}} with a string value, for short answers. */
    static String object(String name, String value) {
        return new JsonWriter().beginObject().field(name, value).endObject().toString();
    }

    /** Strict UTF-8 decoding: malformed input is not text. */
    static final class Utf8 {
        private Utf8() {
        }

        static String decodeOrNull(byte[] bytes) {
            try {
                return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                return null;
            }
        }
    }
}
