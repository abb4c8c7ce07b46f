package io.korvet.storage.redis;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code korvet.redis.uri}: {@code redis://[user:password@]host:port[,host:port...]} (or {@code rediss://}), one
 * Redis or the seed nodes of a Redis Cluster; the credentials apply to every address.
 */
public final class RedisSeeds {

    private RedisSeeds() {
    }

    /** The URI as it may be logged: a password replaced by {@code ***}, the user kept. */
    public static String redacted(String uri) {
        int schemeEnd = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (schemeEnd < 0 || at < schemeEnd) {
            return uri;
        }
        String credentials = uri.substring(schemeEnd + 3, at);
        int colon = credentials.indexOf(':');
        String user = colon < 0 ? "" : credentials.substring(0, colon);
        return uri.substring(0, schemeEnd + 3) + (user.isEmpty() ? "" : user + ":") + "***" + uri.substring(at);
    }

    static List<RedisURI> parse(String uri, Duration timeout) {
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("expected redis://host:port, got '" + redacted(uri) + "'");
        }
        String scheme = uri.substring(0, schemeEnd + 3);
        String rest = uri.substring(schemeEnd + 3);
        int at = rest.lastIndexOf('@');
        String credentials = at < 0 ? "" : rest.substring(0, at + 1);
        String hosts = at < 0 ? rest : rest.substring(at + 1);
        String path = "";
        int slash = hosts.indexOf('/');
        if (slash >= 0) {
            path = hosts.substring(slash);
            hosts = hosts.substring(0, slash);
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String host : hosts.split(",")) {
            if (!host.isBlank()) {
                RedisURI seed = RedisURI.create(scheme + credentials + host.trim() + path);
                seed.setTimeout(timeout);
                seeds.add(seed);
            }
        }
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no Redis address in '" + redacted(uri) + "'");
        }
        return seeds;
    }
}
