package io.korvet.http;

import io.korvet.group.GroupCoordinator;
import io.korvet.log.LogManager;
import io.korvet.log.PartitionLog;
import io.korvet.storage.GroupStore.CommittedOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;

/**
 * The gauges read from the broker's state at each scrape: each partition this broker leads (high watermark, log start
 * offset, from memory), and each group it coordinates (members; lag per partition, the high watermark minus the
 * committed offset, which costs one Redis read per group, in {@link #refresh} before the scrape).
 *
 * <p>With many partitions these are tens of thousands of series, so they are written straight from the state in
 * Prometheus's text format (version 0.0.4), after the registry's own metrics: as Micrometer meters re-registered at
 * each scrape they cost about 470 ms of CPU and 200 MB of garbage per scrape with 10,000 partitions, and as
 * snapshots of the Prometheus client (whose labels are validated with a regular expression, then sorted, per sample)
 * still about 120 ms (bench/scrape.sh; bench/results/2026-12-06-scrape-10k-partitions.md).
 */
final class StateGauges {

    /** A group as the last refresh read it. */
    private record GroupRead(String id, int members, Map<TopicPartition, CommittedOffset> committed) {
    }

    private final LogManager logs;
    private final Predicate<TopicPartition> leads;
    private final GroupCoordinator groups;
    private volatile List<GroupRead> groupsRead = List.of();

    StateGauges(LogManager logs, Predicate<TopicPartition> leads, GroupCoordinator groups) {
        this.logs = logs;
        this.leads = leads;
        this.groups = groups;
    }

    /**
     * Reads the groups this broker coordinates, their members and committed offsets (one Redis read per group, all
     * sent at once). A group whose offsets cannot be read now has no lag rows; when the groups cannot be listed, the
     * last read stays.
     */
    CompletionStage<Void> refresh() {
        return groups.list(List.of(), List.of()).thenCompose(listed -> {
            List<String> ids = listed.stream().map(ListedGroup::groupId).toList();
            return groups.describeAny(ids).thenCompose(described -> {
                List<CompletableFuture<GroupRead>> reads = new ArrayList<>(described.size());
                for (DescribedGroup g : described) {
                    int members = g.members().size();
                    reads.add(groups.committed(g.groupId()).handle((committed, error) ->
                            new GroupRead(g.groupId(), members, error == null ? committed : Map.of())).toCompletableFuture());
                }
                return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0]))
                        .thenAccept(v -> groupsRead = reads.stream().map(CompletableFuture::join).toList());
            });
        });
    }

    /** Appends the four gauge families, in Prometheus's text format, high watermarks from memory now. */
    void writeTo(StringBuilder out) {
        List<PartitionLog> led = new ArrayList<>();
        for (PartitionLog log : logs.open()) {
            if (leads.test(log.topicPartition())) {
                led.add(log);
            }
        }
        family(out, "korvet_partition_high_watermark",
                "the offset after the last acknowledged record, of each partition this broker leads");
        for (PartitionLog log : led) {
            partition(out.append("korvet_partition_high_watermark{"), log.topicPartition()).append("} ")
                    .append(log.highWatermark()).append('\n');
        }
        family(out, "korvet_partition_log_start_offset", "the first offset still held, of each partition this broker leads");
        for (PartitionLog log : led) {
            partition(out.append("korvet_partition_log_start_offset{"), log.topicPartition()).append("} ")
                    .append(log.logStartOffset()).append('\n');
        }
        List<GroupRead> read = groupsRead;
        family(out, "korvet_consumer_group_members", "members of each group this broker coordinates");
        for (GroupRead g : read) {
            escaped(out.append("korvet_consumer_group_members{group=\""), g.id()).append("\"} ").append(g.members()).append('\n');
        }
        family(out, "korvet_consumer_group_lag", "high watermark minus committed offset, per group and partition");
        for (GroupRead g : read) {
            g.committed().forEach((tp, offset) -> {
                PartitionLog log = logs.existing(tp);
                if (log != null) {
                    escaped(out.append("korvet_consumer_group_lag{group=\""), g.id()).append("\",");
                    partition(out, tp).append("} ").append(Math.max(0, log.highWatermark() - offset.offset())).append('\n');
                }
            });
        }
    }

    private static void family(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n");
    }

    /** {@code partition="<n>",topic="<name>"}: label names sorted, as the registry writes its own. */
    private static StringBuilder partition(StringBuilder out, TopicPartition tp) {
        out.append("partition=\"").append(tp.partition()).append("\",topic=\"");
        return escaped(out, tp.topic()).append('"');
    }

    /** A label value: backslash, double quote and line feed escaped (a group id may hold any of them). */
    static StringBuilder escaped(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out;
    }
}
