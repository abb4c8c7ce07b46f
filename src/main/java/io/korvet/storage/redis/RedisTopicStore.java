package io.korvet.storage.redis;

import io.korvet.storage.TopicRecord;
import io.korvet.storage.TopicStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;

/**
 * The topic registry: one hash, {@code <ns>:topics}, field = topic name, value = lines of
 * {@code id=<uuid>}, {@code partitions=<n>} and {@code config.<key>=<value>}.
 */
public final class RedisTopicStore implements TopicStore {

    private final RedisConnector redis;
    private final RedisKeys keys;

    public RedisTopicStore(RedisConnector redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public CompletionStage<List<TopicRecord>> loadTopics() {
        return RedisConnector.translate(redis.async().hgetall(keys.topics()), "loading topics").thenApply(all -> {
            List<TopicRecord> topics = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
                topics.add(decode(new String(e.getKey(), StandardCharsets.UTF_8), new String(e.getValue(), StandardCharsets.UTF_8)));
            }
            return topics;
        });
    }

    @Override
    public CompletionStage<Boolean> createTopic(TopicRecord topic) {
        return RedisConnector.translate(
                redis.async().hsetnx(keys.topics(), RedisKeys.bytes(topic.name()), RedisKeys.bytes(encode(topic))),
                "creating topic " + topic.name());
    }

    @Override
    public CompletionStage<Long> nextProducerId() {
        return RedisConnector.translate(redis.async().incr(keys.producerIds()), "allocating a producer id");
    }

    static String encode(TopicRecord topic) {
        StringBuilder sb = new StringBuilder();
        sb.append("id=").append(topic.id()).append('\n');
        sb.append("partitions=").append(topic.partitions()).append('\n');
        topic.configs().forEach((k, v) -> sb.append("config.").append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    static TopicRecord decode(String name, String text) {
        Uuid id = null;
        int partitions = 0;
        Map<String, String> configs = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = line.substring(0, eq);
            String v = line.substring(eq + 1);
            if (k.equals("id")) {
                id = Uuid.fromString(v);
            } else if (k.equals("partitions")) {
                partitions = Integer.parseInt(v);
            } else if (k.startsWith("config.")) {
                configs.put(k.substring("config.".length()), v);
            }
        }
        if (id == null || partitions <= 0) {
            throw new IllegalStateException("malformed registry record for topic " + name + ": " + text);
        }
        return new TopicRecord(name, id, partitions, configs);
    }
}
