package io.korvet.http;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * grafana/korvet-dashboard.json against what the broker exports: every metric named in a panel's or a variable's
 * PromQL is one of the series /metrics serves, and every label it matches on or groups by is one of that series'
 * labels, so that the dashboard cannot drift from the metrics unnoticed.
 */
class GrafanaDashboardTest {

    /** The series the broker's /metrics serves (the Prometheus names) and their labels. */
    private static final Map<String, Set<String>> EXPORTED = Map.ofEntries(
            entry("korvet_requests_total", Set.of("api", "version", "error")),
            entry("korvet_request_latency_seconds_bucket", Set.of("api", "le")),
            entry("korvet_request_latency_seconds_count", Set.of("api")),
            entry("korvet_request_latency_seconds_sum", Set.of("api")),
            entry("korvet_request_latency_seconds_max", Set.of("api")),
            entry("korvet_records_produced_total", Set.of("topic")),
            entry("korvet_bytes_produced_total", Set.of("topic")),
            entry("korvet_records_fetched_total", Set.of("topic")),
            entry("korvet_bytes_fetched_total", Set.of("topic")),
            entry("korvet_produce_errors_total", Set.of("error")),
            entry("korvet_connections", Set.of()),
            entry("korvet_requests_in_flight", Set.of()),
            entry("korvet_requests_queued_bytes", Set.of()),
            entry("korvet_partition_high_watermark", Set.of("topic", "partition")),
            entry("korvet_partition_log_start_offset", Set.of("topic", "partition")),
            entry("korvet_consumer_group_members", Set.of("group")),
            entry("korvet_consumer_group_lag", Set.of("group", "topic", "partition")),
            entry("korvet_redis_command_latency_seconds_bucket", Set.of("command", "le")),
            entry("korvet_redis_command_latency_seconds_count", Set.of("command")),
            entry("korvet_redis_command_latency_seconds_sum", Set.of("command")),
            entry("korvet_redis_errors_total", Set.of("kind")),
            entry("jvm_memory_used_bytes", Set.of("area", "id")),
            entry("jvm_memory_committed_bytes", Set.of("area", "id")),
            entry("jvm_memory_max_bytes", Set.of("area", "id")),
            entry("jvm_gc_pause_seconds_count", Set.of("action", "cause", "gc")),
            entry("jvm_gc_pause_seconds_sum", Set.of("action", "cause", "gc")),
            entry("jvm_gc_pause_seconds_max", Set.of("action", "cause", "gc")),
            entry("jvm_threads_live_threads", Set.of()),
            entry("process_cpu_usage", Set.of()),
            entry("process_uptime_seconds", Set.of()),
            entry("system_cpu_usage", Set.of()));

    /** Labels Prometheus adds to every scraped series. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

    /** What the dashboard is for: these must each appear in some panel. */
    private static final Set<String> COVERED = Set.of("korvet_requests_total", "korvet_request_latency_seconds_bucket",
            "korvet_records_produced_total", "korvet_records_fetched_total", "korvet_partition_high_watermark",
            "korvet_consumer_group_lag", "korvet_connections", "korvet_requests_in_flight", "korvet_requests_queued_bytes",
            "korvet_produce_errors_total", "korvet_redis_command_latency_seconds_bucket", "korvet_redis_errors_total",
            "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum", "process_cpu_usage");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "on", "ignoring",
            "group_left", "group_right", "by", "without", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+}?");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*(\\w+)\\s*\\)\\s*$");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]\\w*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private static Map<String, Object> dashboard;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        dashboard = new ObjectMapper().readValue(Files.readString(Path.of("grafana/korvet-dashboard.json")), Map.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o == null ? List.of() : (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    /** The panels, those inside collapsed rows too, rows left out. */
    private static List<Map<String, Object>> panels() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> p : list(dashboard.get("panels"))) {
            if ("row".equals(p.get("type"))) {
                out.addAll(list(p.get("panels")));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static List<Map<String, Object>> variables() {
        return list(map(dashboard.get("templating")).get("list"));
    }

    /** Every PromQL expression: the panels' targets and the query variables. */
    private static List<String> expressions() {
        List<String> out = new ArrayList<>();
        panels().forEach(p -> list(p.get("targets")).forEach(t -> out.add((String) t.get("expr"))));
        variables().stream().filter(v -> "query".equals(v.get("type"))).forEach(v -> out.add((String) v.get("definition")));
        return out;
    }

    @Test
    void theDatasourceIsTheDsPrometheusVariable() {
        assertThat(list(dashboard.get("__inputs"))).anySatisfy(i -> {
            assertThat(i.get("name")).isEqualTo("DS_PROMETHEUS");
            assertThat(i.get("pluginId")).isEqualTo("prometheus");
        });
        assertThat(variables()).anySatisfy(v -> {
            assertThat(v.get("name")).isEqualTo("DS_PROMETHEUS");
            assertThat(v.get("type")).isEqualTo("datasource");
            assertThat(v.get("query")).isEqualTo("prometheus");
        });
        assertThat(panels()).isNotEmpty().allSatisfy(p -> {
            String title = (String) p.get("title");
            assertThat(map(p.get("datasource")).get("uid")).as(title).isEqualTo("${DS_PROMETHEUS}");
            assertThat(list(p.get("targets"))).as(title).isNotEmpty().allSatisfy(t -> {
                assertThat(map(t.get("datasource")).get("uid")).as(title).isEqualTo("${DS_PROMETHEUS}");
                assertThat((String) t.get("expr")).as(title).isNotBlank();
            });
        });
        Set<Object> ids = new HashSet<>();
        list(dashboard.get("panels")).forEach(p -> assertThat(ids.add(p.get("id"))).as("panel id " + p.get("id")).isTrue());
    }

    @Test
    void everyMetricAndLabelInTheExpressionsIsExported() {
        Set<String> used = new LinkedHashSet<>();
        for (String expr : expressions()) {
            Set<String> metrics = check(expr);
            assertThat(metrics).as("metrics in %s", expr).isNotEmpty();
            used.addAll(metrics);
        }
        assertThat(used).containsAll(COVERED);
    }

    @Test
    void theCheckCatchesDrift() {
        assertThat(catchesDrift("sum(rate(korvet_records_produced{topic=~\"$topic\"}[5m]))")).isTrue();
        assertThat(catchesDrift("sum by (partition) (rate(korvet_records_produced_total[5m]))")).isTrue();
        assertThat(catchesDrift("korvet_consumer_group_lag{consumer=\"g1\"}")).isTrue();
        assertThat(catchesDrift("korvet_connections + korvet_sessions")).isTrue();
        assertThat(catchesDrift("label_values(korvet_connections, topic)")).isTrue();
        assertThat(check("histogram_quantile(0.99, sum by (api, le) (rate(korvet_request_latency_seconds_bucket"
                + "{instance=~\"$instance\"}[$__rate_interval])))")).containsExactly("korvet_request_latency_seconds_bucket");
    }

    private static boolean catchesDrift(String expr) {
        try {
            check(expr);
            return false;
        } catch (AssertionError expected) {
            return true;
        }
    }

    /**
     * Checks one expression's metric names and labels against {@link #EXPORTED}; returns the metric names.
     * Strings, ranges and numbers are taken out, the label lists of by/without/on/ignoring and of selectors are checked
     * and taken out, and any identifier left that is not a function call or a keyword is a metric name.
     */
    private static Set<String> check(String expr) {
        String e = STRING.matcher(VARIABLE.matcher(expr).replaceAll("")).replaceAll("\"\"");
        Set<String> groupedBy = new HashSet<>();
        Matcher lv = LABEL_VALUES.matcher(e);
        if (lv.matches()) {
            e = lv.group(1);
            groupedBy.add(lv.group(2));
        }
        Matcher grouping = GROUPING.matcher(e);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    groupedBy.add(label.trim());
                }
            }
        }
        e = GROUPING.matcher(e).replaceAll(" ");
        Set<String> metrics = new LinkedHashSet<>();
        Matcher selector = SELECTOR.matcher(e);
        while (selector.find()) {
            String metric = selector.group(1);
            assertThat(metric).as("a selector without a metric name in %s", expr).isNotNull();
            assertThat(EXPORTED).as("in %s", expr).containsKey(metric);
            Matcher m = MATCHER.matcher(selector.group(2));
            while (m.find()) {
                assertThat(labels(metric)).as("labels of %s in %s", metric, expr).contains(m.group(1));
            }
        }
        e = SELECTOR.matcher(e).replaceAll("$1 ");
        e = NUMBER.matcher(RANGE.matcher(e).replaceAll(" ")).replaceAll(" ");
        Matcher id = IDENTIFIER.matcher(e);
        while (id.find()) {
            String word = id.group();
            boolean call = e.substring(id.end()).stripLeading().startsWith("(");
            if (!call && !KEYWORDS.contains(word)) {
                assertThat(EXPORTED).as("in %s", expr).containsKey(word);
                metrics.add(word);
            }
        }
        Set<String> available = new HashSet<>(TARGET_LABELS);
        metrics.forEach(m -> available.addAll(labels(m)));
        assertThat(available).as("labels grouped by in %s", expr).containsAll(groupedBy);
        return metrics;
    }

    private static Set<String> labels(String metric) {
        Set<String> labels = new HashSet<>(EXPORTED.get(metric));
        labels.addAll(TARGET_LABELS);
        return labels;
    }
}
