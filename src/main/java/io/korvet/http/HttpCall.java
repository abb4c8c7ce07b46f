package io.korvet.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * One HTTP request as the routes see it: its path split into decoded segments (so that a group id holding a
 * {@code /}, sent as {@code %2F}, stays one segment), its query parameters, and who sent it (null when the listener
 * does not authenticate).
 */
record HttpCall(List<String> segments, Map<String, List<String>> query, KafkaPrincipal principal, String host) {

    static HttpCall of(String uri, KafkaPrincipal principal, String host) {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(QueryStringDecoder.decodeComponent(s));
            }
        }
        return new HttpCall(List.copyOf(segments), new QueryStringDecoder(uri).parameters(), principal, host);
    }

    /** The decoded path, {@code /} joined. */
    String path() {
        return "/" + String.join("/", segments);
    }

    /** Segment {@code i}, or null past the end. */
    String segment(int i) {
        return i < segments.size() ? segments.get(i) : null;
    }

    /** A query parameter's first value, or null. */
    String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
