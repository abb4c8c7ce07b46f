package io.korvet.topic;

import io.korvet.config.KorvetConfig;
import io.korvet.storage.TopicRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * A topic's configs as Kafka reports them, at creation (CreateTopics' answer) and to DescribeConfigs: every config
 * Kafka has, with the value in force, its source and its synonyms.
 */
public final class TopicConfigViews {

    /** A config as reported at topic creation: its value and whether it was set on the topic or is a default. */
    public record Entry(String name, String value, boolean setOnTopic) {
    }

    private TopicConfigViews() {
    }

    /** Every topic config with the value in force, in Kafka's names. */
    public static List<Entry> describe(TopicRecord topic, KorvetConfig broker) {
        List<Entry> entries = new ArrayList<>();
        for (ConfigView v : describe(topic, new BrokerConfigs(broker), null, false)) {
            entries.add(new Entry(v.name(), v.value(), v.source() == ConfigSource.TOPIC_CONFIG));
        }
        return entries;
    }

    /**
     * The topic's configs as Kafka's DescribeConfigs reports them: each with the value in force, its source
     * (TOPIC_CONFIG when set on the topic, else the source of its first broker synonym, else DEFAULT_CONFIG)
     * and, when asked, its synonyms: the topic's own setting, then its broker synonyms by precedence. The stream
     * format is the one the topic was created with, whatever the broker's default is now; unless set on the topic
     * it is reported with the source of the broker default it came from while that default still says the same.
     *
     * @param names the configs wanted, null or empty for all
     */
    public static List<ConfigView> describe(TopicRecord topic, BrokerConfigs broker, Collection<String> names,
                                            boolean includeSynonyms) {
        Map<String, String> topicConfigs = topic.configs();
        List<ConfigView> views = new ArrayList<>();
        for (String name : new TreeSet<>(TopicConfigs.defs().keySet())) {
            if (names != null && !names.isEmpty() && !names.contains(name)) {
                continue;
            }
            TopicConfigs.Def def = TopicConfigs.defs().get(name);
            List<ConfigView.Synonym> synonyms = new ArrayList<>();
            if (topicConfigs.containsKey(name)) {
                synonyms.add(new ConfigView.Synonym(name, topicConfigs.get(name), ConfigSource.TOPIC_CONFIG));
            }
            if (!def.synonyms().isEmpty()) {
                synonyms.addAll(broker.synonyms(def.synonyms().get(0).name()));
            }
            String value = TopicConfigs.effective(topicConfigs, name, broker);
            if (name.equals(TopicConfigs.STREAM_FORMAT) && !value.equals(topic.format().configValue())) {
                value = topic.format().configValue();
                synonyms.clear();
            }
            ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
            views.add(new ConfigView(name, value, source, false, false, def.type().wire, includeSynonyms ? synonyms : List.of()));
        }
        return views;
    }
}
