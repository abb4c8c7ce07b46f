package io.korvet.storage.redis;

import io.lettuce.core.SslOptions;
import java.io.File;
import java.util.Locale;

/**
 * The CA a {@code rediss://} Redis is checked against ({@code korvet.redis.ssl.truststore.*}): a JKS or PKCS12
 * truststore, or PEM certificates.
 */
public record RedisTls(String truststoreLocation, String truststorePassword, String truststoreType) {

    SslOptions sslOptions() {
        SslOptions.Builder b = SslOptions.builder().jdkSslProvider();
        File file = new File(truststoreLocation);
        if (truststoreType.toUpperCase(Locale.ROOT).equals("PEM")) {
            b.trustManager(file);
        } else {
            b.keyStoreType(truststoreType.toUpperCase(Locale.ROOT))
                    .truststore(file, truststorePassword == null ? "" : truststorePassword);
        }
        return b.build();
    }
}
