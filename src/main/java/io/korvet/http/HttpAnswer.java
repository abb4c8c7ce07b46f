package io.korvet.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/**
 * One answer of the HTTP listener: a status, a content type, the body (bytes, or text to be sent in UTF-8), and any
 * extra headers.
 */
record HttpAnswer(HttpResponseStatus status, String contentType, Object body, Map<String, String> headers) {

    HttpAnswer {
        if (!(body instanceof byte[]) && !(body instanceof CharSequence)) {
            throw new IllegalArgumentException("an answer's body is bytes or text");
        }
    }

    static final String JSON = "application/json; charset=utf-8";

    static HttpAnswer json(HttpResponseStatus status, String body) {
        return new HttpAnswer(status, JSON, body, Map.of());
    }

    static HttpAnswer ok(String json) {
        return json(HttpResponseStatus.OK, json);
    }

    /** {@code {"error": message}} with the status. */
    static HttpAnswer error(HttpResponseStatus status, String message) {
        return json(status, JsonWriter.object("error", message));
    }

    static HttpAnswer notFound(String message) {
        return error(HttpResponseStatus.NOT_FOUND, message);
    }

    static HttpAnswer badRequest(String message) {
        return error(HttpResponseStatus.BAD_REQUEST, message);
    }

    HttpAnswer withHeader(String name, String value) {
        Map<String, String> more = new java.util.LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpAnswer(status, contentType, body, more);
    }
}
