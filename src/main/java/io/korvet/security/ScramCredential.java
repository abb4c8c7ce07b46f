package io.korvet.security;

import java.util.Base64;

/** A stored SCRAM credential: salt, StoredKey, ServerKey and iteration count (RFC 5802), never the password. */
public record ScramCredential(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {

    /** {@code <iterations> <salt> <stored key> <server key>}, the bytes in base64. */
    public String encode() {
        Base64.Encoder b64 = Base64.getEncoder();
        return iterations + " " + b64.encodeToString(salt) + " " + b64.encodeToString(storedKey) + " " + b64.encodeToString(serverKey);
    }

    public static ScramCredential decode(String value) {
        String[] p = value.split(" ");
        Base64.Decoder b64 = Base64.getDecoder();
        return new ScramCredential(b64.decode(p[1]), b64.decode(p[2]), b64.decode(p[3]), Integer.parseInt(p[0]));
    }
}
