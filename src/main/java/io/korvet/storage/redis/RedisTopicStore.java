package io.korvet.storage.redis;

import io.korvet.storage.StorageException;
import io.korvet.storage.StreamFormat;
import io.korvet.storage.TopicRecord;
import io.korvet.storage.TopicStore;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.Uuid;

/**
 * The topic registry: one hash, {@code <ns>:topics}, field = topic name, value = lines of
 * {@code id=<uuid>}, {@code partitions=<n>}, {@code format=batch|record}, {@code config.<key>=<value>} and, while the topic is being
 * deleted, {@code deleting=true}. Dynamic broker configs live in {@code <ns>:broker-configs}, as
 * {@code key=value} lines per resource. Records change by compare-and-set, never blindly.
 */
public final class RedisTopicStore implements TopicStore {

    /** The field of {@code <ns>:broker-configs} holding the cluster-wide default (resource name ""). */
    static final String DEFAULT_BROKER_FIELD = "<default>";
    private static final String FEATURES_FIELD = "finalized";
    private static final int MAX_ATTEMPTS = 20;

    private final RedisConnector redis;
    private final RedisKeys keys;
    private final LuaScript hashReplace = LuaScript.load("hash_replace");

    public RedisTopicStore(RedisConnector redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public CompletionStage<List<TopicRecord>> loadTopics() {
        return redis.translate(redis.async().hgetall(keys.topics()), "loading topics").thenApply(all -> {
            List<TopicRecord> topics = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
                topics.add(decode(text(e.getKey()), text(e.getValue())));
            }
            return topics;
        });
    }

    @Override
    public CompletionStage<List<TopicRecord>> loadTopics(java.util.Collection<String> names) {
        byte[][] fields = names.stream().map(RedisKeys::bytes).toArray(byte[][]::new);
        return redis.translate(redis.async().hmget(keys.topics(), fields), "loading topics " + names).thenApply(values -> {
            List<TopicRecord> topics = new ArrayList<>();
            for (var kv : values) {
                if (kv.hasValue()) {
                    topics.add(decode(text(kv.getKey()), text(kv.getValue())));
                }
            }
            return topics;
        });
    }

    @Override
    public CompletionStage<Boolean> createTopic(TopicRecord topic) {
        return redis.translate(
                redis.async().hsetnx(keys.topics(), RedisKeys.bytes(topic.name()), RedisKeys.bytes(encode(topic))),
                "creating topic " + topic.name())
                .thenCompose(created -> created ? changed(true) : CompletableFuture.completedFuture(false));
    }

    @Override
    public CompletionStage<TopicRecord> updateTopic(String name, UnaryOperator<TopicRecord> change) {
        return replace(keys.topics(), name, text -> decode(name, text), RedisTopicStore::encode, change,
                "updating topic " + name, 1);
    }

    /**
     * A producer id never given before: the allocation time in milliseconds in the high bits, a counter in Redis in
     * the low ten. The counter alone can go back (a master that fails over before its replica got the last INCR),
     * and an id given twice mixes two producers' sequence numbers in a partition's producer state, where the second
     * producer then gets OUT_OF_ORDER_SEQUENCE_NUMBER for ever. Below 2^53, so that Lua's numbers hold it exactly.
     */
    @Override
    public CompletionStage<Long> nextProducerId() {
        return redis.translate(redis.async().incr(keys.producerIds()), "allocating a producer id")
                .thenApply(n -> producerId(System.currentTimeMillis(), n));
    }

    static long producerId(long nowMs, long counter) {
        return (nowMs << 10) | (counter & 0x3FF);
    }

    @Override
    public CompletionStage<Map<String, Map<String, String>>> loadBrokerConfigs() {
        return loadLines(keys.brokerConfigs(), field -> field.equals(DEFAULT_BROKER_FIELD) ? "" : field, "loading broker configs");
    }

    /** Every field of a hash whose values are {@code key=value} lines, each under the key {@code field} makes of it. */
    private <K> CompletionStage<Map<K, Map<String, String>>> loadLines(byte[] hash, Function<String, K> field, String what) {
        return redis.translate(redis.async().hgetall(hash), what).thenApply(all -> {
            Map<K, Map<String, String>> byField = new HashMap<>();
            all.forEach((f, value) -> byField.put(field.apply(text(f)), decodeLines(text(value))));
            return byField;
        });
    }

    @Override
    public CompletionStage<Map<String, String>> updateBrokerConfigs(String resource, UnaryOperator<Map<String, String>> change) {
        String field = resource.isEmpty() ? DEFAULT_BROKER_FIELD : resource;
        return replaceLines(keys.brokerConfigs(), field, change, "updating broker configs of '" + resource + "'");
    }

    /**
     * {@link #replace} of a field holding {@code key=value} lines, which {@code change} sees as a map (empty when the
     * field is absent); an empty map is stored as no field at all.
     */
    private CompletionStage<Map<String, String>> replaceLines(byte[] hash, String field, UnaryOperator<Map<String, String>> change,
                                                              String what) {
        UnaryOperator<Map<String, String>> stored = current -> {
            Map<String, String> before = current == null ? Map.of() : current;
            Map<String, String> after = change.apply(before);
            return after.equals(before) ? current : after.isEmpty() ? null : after;
        };
        return replace(hash, field, RedisTopicStore::decodeLines, RedisTopicStore::encodeLines, stored, what, 1)
                .thenApply(m -> m == null ? Map.of() : m);
    }

    @Override
    public CompletionStage<Map<String, String>> loadFeatures() {
        return redis.translate(redis.async().hget(keys.features(), RedisKeys.bytes(FEATURES_FIELD)), "loading feature levels")
                .thenApply(raw -> raw == null ? Map.of() : decodeLines(text(raw)));
    }

    @Override
    public CompletionStage<Map<String, String>> updateFeatures(UnaryOperator<Map<String, String>> change) {
        return replaceLines(keys.features(), FEATURES_FIELD, change, "updating feature levels");
    }

    @Override
    public CompletionStage<Map<Map<String, String>, Map<String, String>>> loadQuotas() {
        return loadLines(keys.quotas(), RedisTopicStore::decodeLines, "loading client quotas");
    }

    @Override
    public CompletionStage<Map<String, String>> updateQuotas(Map<String, String> entity, UnaryOperator<Map<String, String>> change) {
        return replaceLines(keys.quotas(), encodeLines(entity), change, "updating the client quotas of " + entity);
    }

    /** Tells the other brokers that the registry changed, then completes with {@code value}. */
    private <T> CompletionStage<T> changed(T value) {
        return RedisClusterStore.bumpVersion(redis, keys).thenApply(v -> value);
    }

    /** Reads a field, applies {@code change} and writes the result only if the field is still as read. */
    private <T> CompletionStage<T> replace(byte[] hash, String field, Function<String, T> decode, Function<T, String> encode,
                                           UnaryOperator<T> change, String what, int attempt) {
        return redis.translate(redis.async().hget(hash, RedisKeys.bytes(field)), what).thenCompose(raw -> {
            String current = raw == null ? null : text(raw);
            T before = current == null ? null : decode.apply(current);
            T after = change.apply(before);
            if (after == before) {
                return CompletableFuture.completedFuture(after);
            }
            CompletionStage<Long> done = hashReplace.run(redis.async(), ScriptOutputType.INTEGER, hash,
                    RedisKeys.bytes(field),
                    RedisKeys.bytes(current == null ? "0" : "1"), RedisKeys.bytes(current == null ? "" : current),
                    RedisKeys.bytes(after == null ? "0" : "1"), RedisKeys.bytes(after == null ? "" : encode.apply(after)));
            return redis.translate(done, what).thenCompose(ok -> {
                if (ok == 1L) {
                    return changed(after);
                }
                if (attempt >= MAX_ATTEMPTS) {
                    return CompletableFuture.failedFuture(new StorageException(
                            what + ": the record kept changing under " + attempt + " attempts", null));
                }
                return replace(hash, field, decode, encode, change, what, attempt + 1);
            });
        });
    }

    static String encode(TopicRecord topic) {
        StringBuilder sb = new StringBuilder();
        sb.append("id=").append(topic.id()).append('\n');
        sb.append("partitions=").append(topic.partitions()).append('\n');
        sb.append("format=").append(topic.format().configValue()).append('\n');
        new TreeMap<>(topic.configs()).forEach((k, v) -> sb.append("config.").append(k).append('=').append(v).append('\n'));
        if (topic.deleting()) {
            sb.append("deleting=true\n");
        }
        return sb.toString();
    }

    static TopicRecord decode(String name, String text) {
        Uuid id = null;
        int partitions = 0;
        boolean deleting = false;
        StreamFormat format = StreamFormat.RECORD;
        Map<String, String> configs = new TreeMap<>();
        for (Map.Entry<String, String> line : decodeLines(text).entrySet()) {
            String k = line.getKey();
            String v = line.getValue();
            if (k.equals("id")) {
                id = Uuid.fromString(v);
            } else if (k.equals("partitions")) {
                partitions = Integer.parseInt(v);
            } else if (k.equals("format")) {
                format = StreamFormat.parse(v);
                if (format == null) {
                    throw new IllegalStateException("unknown stream format '" + v + "' in the registry record of topic " + name);
                }
            } else if (k.equals("deleting")) {
                deleting = Boolean.parseBoolean(v);
            } else if (k.startsWith("config.")) {
                configs.put(k.substring("config.".length()), v);
            }
        }
        if (id == null || partitions <= 0) {
            throw new IllegalStateException("malformed registry record for topic " + name + ": " + text);
        }
        return new TopicRecord(name, id, partitions, configs, deleting, format);
    }

    /** {@code key=value} lines, in order; lines without '=' are skipped. */
    static Map<String, String> decodeLines(String text) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), unescape(line.substring(eq + 1)));
            }
        }
        return values;
    }

    /** {@code key=value} lines; a value's line breaks (a PEM certificate's) written as {@code \n}, a backslash as {@code \\}. */
    static String encodeLines(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(values).forEach((k, v) -> sb.append(k).append('=').append(escape(v)).append('\n'));
        return sb.toString();
    }

    private static String escape(String value) {
        if (value.indexOf('\\') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** Undoes {@link #escape}; a backslash before anything else stays as it is (values written before escaping). */
    private static String unescape(String value) {
        if (value.indexOf('\\') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            char next = i + 1 < value.length() ? value.charAt(i + 1) : 0;
            if (c == '\\' && (next == '\\' || next == 'n' || next == 'r')) {
                out.append(next == 'n' ? '\n' : next == 'r' ? '\r' : '\\');
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
