package io.korvet.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web console's files, shipped in the jar under {@code console/}: {@code GET /} is {@code index.html} and
 * {@code GET /assets/<file>} any other file there. Nothing is loaded from elsewhere; each file is read once.
 */
final class StaticAssets {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon", "json", HttpAnswer.JSON);

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /** The file, or 404. */
    HttpAnswer file(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        if (!NAME.matcher(name).matches() || !TYPES.containsKey(ext)) {
            return HttpAnswer.notFound("no such file: " + name);
        }
        byte[] body = cache.computeIfAbsent(name, StaticAssets::read);
        if (body.length == 0) {
            return HttpAnswer.notFound("no such file: " + name);
        }
        return new HttpAnswer(HttpResponseStatus.OK, TYPES.get(ext), body, Map.of("Cache-Control", "no-cache"));
    }

    private static byte[] read(String name) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream("console/" + name)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
