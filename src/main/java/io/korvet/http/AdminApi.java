package io.korvet.http;

import io.korvet.cluster.BrokerInfo;
import io.korvet.cluster.ClusterView;
import io.korvet.cluster.PartitionLeadership;
import io.korvet.config.Endpoint;
import io.korvet.group.GroupCoordinator;
import io.korvet.log.FollowerReads;
import io.korvet.log.LogManager;
import io.korvet.storage.GroupStore;
import io.korvet.topic.TopicManager;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON admin API under {@code /api/v1/}: topics, a partition's records, groups, brokers, and the traffic history
 * the console plots. Read-only; every answer is JSON, errors as {@code {"error": "..."}} with a status that says what
 * went wrong (404 for what does not exist or may not be seen, 400 for a malformed parameter, 403 for a topic the
 * caller may describe but not read).
 */
public final class AdminApi {

    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

    private final TopicsApi topicsApi;
    private final RecordBrowser records;
    private final GroupsApi groupsApi;
    private final PartitionLeadership leadership;
    private final GroupCoordinator groups;
    private final BrokerMetrics metrics;
    private final HttpAccess access;
    private final TrafficHistory history = new TrafficHistory();
    private ScheduledFuture<?> sampling;

    public AdminApi(TopicManager topics, LogManager logs, PartitionLeadership leadership, GroupCoordinator groups, GroupStore groupStore,
                    BrokerMetrics metrics, io.korvet.security.AclAuthorizer authorizer) {
        this.access = new HttpAccess(authorizer);
        this.leadership = leadership;
        this.groups = groups;
        this.metrics = metrics;
        PartitionFacts facts = new PartitionFacts(logs, leadership::leads);
        this.topicsApi = new TopicsApi(topics, leadership, facts, access, history);
        this.records = new RecordBrowser(topicsApi, facts, new FollowerReads(logs.store()), access);
        this.groupsApi = new GroupsApi(groups, groupStore, topics, leadership, facts, access);
    }

    HttpAccess access() {
        return access;
    }

    /** Starts sampling the traffic history on the HTTP listener's executor. */
    void startSampling(EventExecutor executor) {
        sampling = executor.scheduleAtFixedRate(this::sample, 0, TrafficHistory.INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    void stopSampling() {
        if (sampling != null) {
            sampling.cancel(false);
        }
    }

    private void sample() {
        long millis = System.currentTimeMillis();
        long nanos = System.nanoTime();
        Map<String, double[]> totals = metrics.topicTotals();
        groups.list(List.of(), List.of()).thenCompose(local -> {
            // Every group's offsets read at once (Redis pipelines them).
            Map<String, CompletableFuture<Long>> lags = new HashMap<>();
            for (ListedGroup g : local) {
                lags.put(g.groupId(), groupsApi.lag(g.groupId()).thenApply(GroupsApi::total).toCompletableFuture());
            }
            return CompletableFuture.allOf(lags.values().toArray(new CompletableFuture[0])).thenApply(v -> {
                Map<String, Long> lag = new HashMap<>();
                lags.forEach((id, l) -> lag.put(id, l.join()));
                return lag;
            });
        }).whenComplete((lag, error) -> {
            if (error != null) {
                log.debug("Traffic sample without group lag: {}", error.getMessage());
            }
            history.sample(millis, nanos, totals, error != null ? Map.of() : lag);
        });
    }

    /** Answers a call whose path starts with {@code /api/v1}. */
    CompletionStage<HttpAnswer> answer(HttpCall call) {
        List<String> s = call.segments();
        String what = call.segment(2);
        int n = s.size();
        if ("topics".equals(what)) {
            if (n == 3) {
                return topicsApi.list(call);
            }
            if (n == 4) {
                return topicsApi.describe(call, s.get(3));
            }
            if (n == 7 && s.get(4).equals("partitions") && s.get(6).equals("records")) {
                return records.browse(call, s.get(3), s.get(5));
            }
        } else if ("groups".equals(what)) {
            if (n == 3) {
                return groupsApi.list(call);
            }
            if (n == 4) {
                return groupsApi.describe(call, s.get(3));
            }
        } else if ("brokers".equals(what) && n == 3) {
            return CompletableFuture.completedFuture(brokers(call));
        } else if ("history".equals(what) && n == 3) {
            return CompletableFuture.completedFuture(HttpAnswer.ok(history.json(
                    topic -> topicsApi.visible(call, topic) != null,
                    group -> access.may(call, AclOperation.DESCRIBE, ResourceType.GROUP, group))));
        }
        return CompletableFuture.completedFuture(HttpAnswer.notFound("no such path: " + call.path()));
    }

    private HttpAnswer brokers(HttpCall call) {
        if (!access.mayDescribeCluster(call)) {
            return HttpAnswer.error(io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN, "not authorized to describe the cluster");
        }
        ClusterView view = leadership.view();
        JsonWriter json = new JsonWriter().beginArray();
        for (BrokerInfo b : view.brokers()) {
            json.beginObject().field("nodeId", b.nodeId()).field("rack", b.rack())
                    .field("controller", b.nodeId() == view.controllerId()).field("self", b.nodeId() == view.self())
                    .name("endpoints").beginArray();
            for (Endpoint e : b.endpoints()) {
                json.beginObject().field("listener", e.listenerName()).field("host", e.host()).field("port", e.port()).endObject();
            }
            json.endArray().endObject();
        }
        return HttpAnswer.ok(json.endArray().toString());
    }
}
