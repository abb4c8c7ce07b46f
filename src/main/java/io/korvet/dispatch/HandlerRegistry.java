package io.korvet.dispatch;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;

/** The handlers by API key; the ApiVersions answer is derived from it, so nothing unhandled is advertised. */
public final class HandlerRegistry {

    private final Map<ApiKeys, ApiHandler<?>> handlers = new EnumMap<>(ApiKeys.class);

    public HandlerRegistry register(ApiHandler<?> handler) {
        if (handler.minVersion() < handler.apiKey().oldestVersion() || handler.maxVersion() > handler.apiKey().latestVersion()) {
            throw new IllegalArgumentException(handler.apiKey() + " handler declares versions outside what kafka-clients knows");
        }
        if (handlers.putIfAbsent(handler.apiKey(), handler) != null) {
            throw new IllegalArgumentException("two handlers for " + handler.apiKey());
        }
        return this;
    }

    public ApiHandler<?> get(ApiKeys key) {
        return handlers.get(key);
    }

    public Collection<ApiHandler<?>> all() {
        return Collections.unmodifiableCollection(handlers.values());
    }

    public boolean supports(ApiKeys key, short version) {
        ApiHandler<?> h = handlers.get(key);
        return h != null && version >= h.minVersion() && version <= h.maxVersion();
    }

    public ApiVersionCollection apiVersions() {
        ApiVersionCollection versions = new ApiVersionCollection();
        for (ApiHandler<?> h : handlers.values()) {
            versions.add(new ApiVersion().setApiKey(h.apiKey().id).setMinVersion(h.minVersion()).setMaxVersion(h.maxVersion()));
        }
        return versions;
    }
}
