package io.korvet.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677): their hash, HMAC and iteration bounds, as Kafka has them. */
public enum ScramMechanism {
    SCRAM_SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", (byte) 1),
    SCRAM_SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", (byte) 2);

    /** Kafka's bounds on the iteration count of a stored credential. */
    public static final int MIN_ITERATIONS = 4096;
    public static final int MAX_ITERATIONS = 16384;

    private final String mechanismName;
    private final String hash;
    private final String hmac;
    private final byte type;

    ScramMechanism(String mechanismName, String hash, String hmac, byte type) {
        this.mechanismName = mechanismName;
        this.hash = hash;
        this.hmac = hmac;
        this.type = type;
    }

    public String mechanismName() {
        return mechanismName;
    }

    /** The id of the mechanism in AlterUserScramCredentials and DescribeUserScramCredentials. */
    public byte type() {
        return type;
    }

    public static ScramMechanism forName(String name) {
        for (ScramMechanism m : values()) {
            if (m.mechanismName.equals(name.toUpperCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }

    public static ScramMechanism forType(byte type) {
        for (ScramMechanism m : values()) {
            if (m.type == type) {
                return m;
            }
        }
        return null;
    }

    public byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(key, hmac));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " is not available", e);
        }
    }

    public byte[] hash(byte[] message) {
        try {
            return MessageDigest.getInstance(hash).digest(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hash + " is not available", e);
        }
    }

    /** What the server keeps of a salted password: never the password, nor the salted password. */
    public ScramCredential credential(byte[] salt, byte[] saltedPassword, int iterations) {
        byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.UTF_8));
        byte[] serverKey = hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.UTF_8));
        return new ScramCredential(salt, hash(clientKey), serverKey, iterations);
    }

    /** Hi() of RFC 5802: the salted password (for tests and tools; the broker receives it already salted). */
    public byte[] saltedPassword(String password, byte[] salt, int iterations) {
        byte[] key = password.getBytes(StandardCharsets.UTF_8);
        byte[] first = new byte[salt.length + 4];
        System.arraycopy(salt, 0, first, 0, salt.length);
        first[salt.length + 3] = 1;
        byte[] u = hmac(key, first);
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = hmac(key, u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }
}
