package io.korvet.group;

import io.korvet.config.ConfigException;
import io.korvet.config.KorvetConfig;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer-protocol groups (KIP-848) this broker coordinates: checks each ConsumerGroupHeartbeat as Kafka's
 * coordinator does, hands it to its group, and sweeps the members whose session or rebalance timed out.
 */
public final class ModernGroups implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModernGroups.class);

    /** {@code group.consumer.*}: session timeout, heartbeat interval, the assignors (the first is the default). */
    public record Settings(int sessionTimeoutMs, int heartbeatIntervalMs, List<String> assignors, MigrationPolicy migration) {

        public Settings(int sessionTimeoutMs, int heartbeatIntervalMs, List<String> assignors) {
            this(sessionTimeoutMs, heartbeatIntervalMs, assignors, MigrationPolicy.BIDIRECTIONAL);
        }

        public static Settings from(KorvetConfig config) {
            List<String> names = new ArrayList<>();
            for (String raw : config.value("group.consumer.assignors").split(",")) {
                String name = raw.trim();
                if (name.isEmpty()) {
                    continue;
                }
                // Kafka names them by class: org.apache.kafka.coordinator.group.assignor.UniformAssignor.
                String simple = name.substring(name.lastIndexOf('.') + 1).replaceFirst("Assignor$", "").toLowerCase(Locale.ROOT);
                if (!ServerAssignors.NAMES.contains(simple)) {
                    throw new ConfigException("group.consumer.assignors: unknown assignor '" + name + "' (uniform, range)");
                }
                names.add(simple);
            }
            if (names.isEmpty()) {
                throw new ConfigException("group.consumer.assignors: at least one assignor (uniform, range)");
            }
            GroupConfigs.ConsumerSettings times = GroupConfigs.ConsumerSettings.from(config);
            return new Settings(times.sessionTimeoutMs(), times.heartbeatIntervalMs(), List.copyOf(names),
                    MigrationPolicy.of(config.value("group.consumer.migration.policy")));
        }
    }

    private final Settings settings;
    private final TopicLookup topics;
    private final Map<String, ModernGroup> groups = new ConcurrentHashMap<>();
    private final Timeout sweeper;
    private volatile boolean closed;
    /** Each group's session timeout and heartbeat interval: its group configs, else the broker's. */
    private volatile java.util.function.Function<String, GroupConfigs.ConsumerTimes> times;
    /** Told of a group whose consumer-protocol members all left while classic ones stay (to move it back). */
    private volatile java.util.function.BiConsumer<String, ModernGroup> onlyClassicLeft = (id, g) -> { };

    public ModernGroups(Settings settings, TopicLookup topics, Timer timer) {
        this.settings = settings;
        this.topics = topics;
        GroupConfigs.ConsumerTimes brokers = new GroupConfigs.ConsumerTimes(settings.sessionTimeoutMs(), settings.heartbeatIntervalMs());
        this.times = id -> brokers;
        this.sweeper = timer == null ? null : schedule(timer);
    }

    /** Takes each group's {@code consumer.session.timeout.ms} and {@code consumer.heartbeat.interval.ms} from its configs. */
    public void useGroupConfigs(GroupConfigs configs) {
        this.times = configs::consumerTimes;
    }

    private Timeout schedule(Timer timer) {
        return timer.newTimeout(t -> {
            try {
                sweep(System.nanoTime());
            } catch (RuntimeException e) {
                log.warn("Sweeping consumer-protocol group members failed: {}", e.toString());
            } finally {
                if (!closed) {
                    schedule(timer);
                }
            }
        }, 1, TimeUnit.SECONDS);
    }

    void sweep(long nowNanos) {
        groups.forEach((id, g) -> {
            List<String> expired = g.expire(nowNanos, times.apply(id).sessionTimeoutMs(), topics);
            for (String gone : expired) {
                log.info("Member {} left group {}", gone, id);
            }
            if (!expired.isEmpty() && g.onlyClassicMembers()) {
                onlyClassicLeft.accept(id, g);
            }
        });
    }

    void onOnlyClassicMembersLeft(java.util.function.BiConsumer<String, ModernGroup> listener) {
        this.onlyClassicLeft = listener;
    }

    Settings settings() {
        return settings;
    }

    /** A new group of that id (replacing none), to take over a classic group's members. */
    ModernGroup create(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new ModernGroup(id, settings.assignors().get(0)));
    }

    /** The group, or null when this broker has no consumer-protocol group of that id. */
    ModernGroup get(String groupId) {
        return groupId == null ? null : groups.get(groupId);
    }

    Map<String, ModernGroup> all() {
        return groups;
    }

    /** Forgets the groups another broker coordinates now. */
    void retain(Predicate<String> coordinated) {
        groups.keySet().removeIf(id -> !coordinated.test(id));
    }

    /** Forgets an empty group (deleted); false when it has members. */
    boolean removeIfEmpty(String groupId) {
        ModernGroup g = groups.get(groupId);
        return g == null || (g.isEmpty() && groups.remove(groupId, g));
    }

    /**
     * One heartbeat, for a group this broker coordinates and that is not a classic group with members.
     */
    ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData req, short version, String clientId, String host,
                                                 Predicate<String> visibleTopics) {
        String invalid = invalid(req, version);
        if (invalid != null) {
            return error(Errors.INVALID_REQUEST, invalid);
        }
        if (req.serverAssignor() != null && !ServerAssignors.NAMES.contains(req.serverAssignor())) {
            return error(Errors.UNSUPPORTED_ASSIGNOR, "ServerAssignor " + req.serverAssignor() + " is not supported. Supported"
                    + " assignors: " + String.join(", ", settings.assignors()) + ".");
        }
        if (req.subscribedTopicRegex() != null && !req.subscribedTopicRegex().isEmpty()) {
            String why = Subscriptions.invalidRegex(req.subscribedTopicRegex());
            if (why != null) {
                return error(Errors.INVALID_REGULAR_EXPRESSION, "SubscribedTopicRegex `" + req.subscribedTopicRegex()
                        + "` is not a valid regular expression: " + why + ".");
            }
        }
        ModernGroup group = req.memberEpoch() == 0 ? create(req.groupId()) : groups.get(req.groupId());
        if (group == null) {
            return req.memberEpoch() < 0 ? new ConsumerGroupHeartbeatResponseData().setMemberId(req.memberId())
                    .setMemberEpoch(req.memberEpoch()) : error(Errors.UNKNOWN_MEMBER_ID,
                    "Group " + req.groupId() + " has no member " + req.memberId());
        }
        try {
            ConsumerGroupHeartbeatResponseData out = group.heartbeat(req, clientId, host, topics, times.apply(req.groupId()).heartbeatIntervalMs(),
                    System.nanoTime(), visibleTopics);
            if (req.memberEpoch() < 0 && group.onlyClassicMembers()) {
                onlyClassicLeft.accept(req.groupId(), group);
            }
            return out;
        } catch (ModernGroup.HeartbeatError e) {
            return error(e.error, e.getMessage());
        }
    }

    /** What Kafka refuses as INVALID_REQUEST before looking at the group. */
    private static String invalid(ConsumerGroupHeartbeatRequestData req, short version) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return "GroupId can't be empty.";
        }
        if (req.memberId() == null || req.memberId().isEmpty()) {
            return version >= 1 || req.memberEpoch() != 0 ? "MemberId can't be empty." : null;
        }
        if (req.instanceId() != null && req.instanceId().isEmpty()) {
            return "InstanceId can't be empty.";
        }
        if (req.rackId() != null && req.rackId().isEmpty()) {
            return "RackId can't be empty.";
        }
        if (req.memberEpoch() == 0) {
            if (req.rebalanceTimeoutMs() == -1) {
                return "RebalanceTimeoutMs must be provided in first request.";
            }
            if (req.topicPartitions() == null || !req.topicPartitions().isEmpty()) {
                return "TopicPartitions must be empty when (re-)joining.";
            }
            boolean names = req.subscribedTopicNames() != null && !req.subscribedTopicNames().isEmpty();
            boolean regex = req.subscribedTopicRegex() != null && !req.subscribedTopicRegex().isEmpty();
            if (!names && !regex && req.subscribedTopicNames() == null) {
                return "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.";
            }
        } else if (req.memberEpoch() < -2) {
            return "MemberEpoch is invalid.";
        }
        return null;
    }

    private static ConsumerGroupHeartbeatResponseData error(Errors error, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    DescribedGroup describe(String groupId) {
        ModernGroup g = groups.get(groupId);
        return g == null ? null : g.describe(topics);
    }

    TopicLookup topics() {
        return topics;
    }

    @Override
    public void close() {
        closed = true;
        if (sweeper != null) {
            sweeper.cancel();
        }
    }
}
