package io.korvet.http;

import io.korvet.group.GroupCoordinator;
import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;

/**
 * The gauges read from the broker's state at each scrape: each partition this broker leads (high watermark, log start
 * offset, from memory), and each group it coordinates (members; lag per partition, the high watermark minus the
 * committed offset, which costs one Redis read per group).
 */
final class StateGauges {

    private final LogManager logs;
    private final Predicate<TopicPartition> leads;
    private final GroupCoordinator groups;
    private final MultiGauge highWatermarks;
    private final MultiGauge logStarts;
    private final MultiGauge members;
    private final MultiGauge lag;

    StateGauges(BrokerMetrics metrics, LogManager logs, Predicate<TopicPartition> leads, GroupCoordinator groups) {
        this.logs = logs;
        this.leads = leads;
        this.groups = groups;
        this.highWatermarks = MultiGauge.builder("korvet.partition.high.watermark")
                .description("the offset after the last acknowledged record, of each partition this broker leads")
                .register(metrics.registry());
        this.logStarts = MultiGauge.builder("korvet.partition.log.start.offset")
                .description("the first offset still held, of each partition this broker leads").register(metrics.registry());
        this.members = MultiGauge.builder("korvet.consumer.group.members")
                .description("members of each group this broker coordinates").register(metrics.registry());
        this.lag = MultiGauge.builder("korvet.consumer.group.lag")
                .description("high watermark minus committed offset, per group and partition").register(metrics.registry());
    }

    CompletionStage<Void> refresh() {
        List<MultiGauge.Row<?>> hw = new ArrayList<>();
        List<MultiGauge.Row<?>> start = new ArrayList<>();
        for (PartitionLog log : logs.open()) {
            TopicPartition tp = log.topicPartition();
            if (leads.test(tp)) {
                Tags tags = Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition()));
                hw.add(MultiGauge.Row.of(tags, log.highWatermark()));
                start.add(MultiGauge.Row.of(tags, log.logStartOffset()));
            }
        }
        highWatermarks.register(hw, true);
        logStarts.register(start, true);
        return groups.list(List.of(), List.of()).thenCompose(listed -> {
            List<String> ids = listed.stream().map(ListedGroup::groupId).toList();
            return groups.describeAny(ids).thenCompose(described -> {
                List<MultiGauge.Row<?>> memberRows = new ArrayList<>();
                for (DescribedGroup g : described) {
                    memberRows.add(MultiGauge.Row.of(Tags.of("group", g.groupId()), g.members().size()));
                }
                members.register(memberRows, true);
                List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
                CompletableFuture<?> all = CompletableFuture.completedFuture(null);
                for (String id : ids) {
                    all = all.thenCompose(v -> groups.committed(id).thenAccept(committed -> committed.forEach((tp, offset) -> {
                        PartitionLog log = logs.existing(tp);
                        if (log != null) {
                            lagRows.add(MultiGauge.Row.of(Tags.of("group", id, "topic", tp.topic(), "partition",
                                    Integer.toString(tp.partition())), Math.max(0, log.highWatermark() - offset.offset())));
                        }
                    })).toCompletableFuture());
                }
                return all.thenAccept(v -> lag.register(lagRows, true));
            });
        });
    }
}
