package io.korvet.handler;

import io.korvet.cluster.PartitionLeadership;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.log.LogManager;
import io.korvet.topic.Topic;
import io.korvet.topic.TopicManager;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeLogDirs ({@code kafka-log-dirs.sh --describe}, the partition sizes admin consoles show): this broker has one
 * "log directory", the Redis its partitions live in, and reports there the partitions it leads with the memory Redis
 * holds for each stream ({@code MEMORY USAGE}, Redis's sampled estimate). For an embedded Redis the directory is its
 * data directory, whose disk volume gives the total and usable bytes; for a Redis of the operator's own it is the
 * Redis's address, with both unknown (-1).
 */
public final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {

    private static final Logger log = LoggerFactory.getLogger(DescribeLogDirsHandler.class);

    private final TopicManager topics;
    private final LogManager logs;
    private final PartitionLeadership leadership;
    private final String logDir;
    private final File volume;

    /** @param volume a file on the disk that holds the data (the embedded Redis's data directory), or null when unknown */
    public DescribeLogDirsHandler(TopicManager topics, LogManager logs, PartitionLeadership leadership, String logDir, File volume) {
        this.topics = topics;
        this.logs = logs;
        this.leadership = leadership;
        this.logDir = logDir;
        this.volume = volume;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeLogDirsRequest request) {
        DescribeLogDirsResponseData out = new DescribeLogDirsResponseData();
        if (!context.allowedOnCluster(AclOperation.DESCRIBE)) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        }
        Map<String, List<Integer>> wanted = wanted(request);
        DescribeLogDirsResult dir = new DescribeLogDirsResult().setLogDir(logDir)
                .setTotalBytes(volume == null ? -1 : volume.getTotalSpace()).setUsableBytes(volume == null ? -1 : volume.getUsableSpace());
        out.results().add(dir);
        List<CompletableFuture<Void>> sizes = new ArrayList<>();
        wanted.forEach((name, partitions) -> {
            Topic topic = topics.get(name);
            if (topic == null) {
                return;
            }
            DescribeLogDirsTopic t = new DescribeLogDirsTopic().setName(name);
            for (int p : partitions) {
                if (!topic.hasPartition(p) || !leadership.leads(topic, p)) {
                    continue;
                }
                DescribeLogDirsPartition dp = new DescribeLogDirsPartition().setPartitionIndex(p).setOffsetLag(0).setIsFutureKey(false);
                t.partitions().add(dp);
                TopicPartition tp = new TopicPartition(name, p);
                sizes.add(logs.store().storedBytes(tp).handle((bytes, e) -> {
                    if (e != null) {
                        log.debug("DescribeLogDirs: no size for {}: {}", tp, e.getMessage());
                    }
                    dp.setPartitionSize(e != null || bytes == null ? 0 : bytes);
                    return (Void) null;
                }).toCompletableFuture());
            }
            if (!t.partitions().isEmpty()) {
                dir.topics().add(t);
            }
        });
        return CompletableFuture.allOf(sizes.toArray(new CompletableFuture[0])).thenApply(v -> (ApiMessage) out);
    }

    /** The partitions asked for by topic: every partition of every topic when the request names none (null). */
    private Map<String, List<Integer>> wanted(DescribeLogDirsRequest request) {
        Map<String, List<Integer>> wanted = new LinkedHashMap<>();
        if (request.data().topics() == null) {
            for (Topic t : topics.all()) {
                List<Integer> all = new ArrayList<>();
                for (int p = 0; p < t.partitions(); p++) {
                    all.add(p);
                }
                wanted.put(t.name(), all);
            }
            return wanted;
        }
        for (DescribableLogDirTopic t : request.data().topics()) {
            wanted.computeIfAbsent(t.topic(), k -> new ArrayList<>()).addAll(t.partitions());
        }
        return wanted;
    }
}
