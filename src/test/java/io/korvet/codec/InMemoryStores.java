package io.korvet.codec;

import io.korvet.storage.BatchHeader;
import io.korvet.storage.NewRecord;
import io.korvet.storage.PartitionState;
import io.korvet.storage.PartitionStore;
import io.korvet.storage.PartitionStore.TimestampLookup;
import io.korvet.storage.StorageException;
import io.korvet.storage.StoredRecord;
import io.korvet.storage.TopicRecord;
import io.korvet.storage.TopicStore;
import io.korvet.topic.TopicManager;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Storage in memory for tests that drive the real handlers without Redis: only what the handlers
 * build is under test there, never the storage itself (which the ITs test on a real redis-server).
 */
final class InMemoryStores {

    private InMemoryStores() {
    }

    static TopicStore topicStore() {
        return backedBy(TopicStore.class, new MemoryTopicStore());
    }

    /** A Redis without replicas. */
    static io.korvet.storage.ReplicaWaiter noReplicas() {
        return new io.korvet.storage.ReplicaWaiter() {
            @Override
            public java.util.concurrent.CompletionStage<Integer> connectedReplicas(TopicPartition tp) {
                return java.util.concurrent.CompletableFuture.completedFuture(0);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> awaitReplicas(TopicPartition tp, int replicas, long timeoutMs) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException("no replicas"));
            }
        };
    }

    /** Transaction states in a map, compare-and-set as Redis does it; group offsets of transactions are not kept. */
    static io.korvet.storage.TransactionStore transactionStore() {
        Map<String, String> states = new ConcurrentHashMap<>();
        return new io.korvet.storage.TransactionStore() {
            @Override
            public java.util.concurrent.CompletionStage<String> get(String id) {
                return java.util.concurrent.CompletableFuture.completedFuture(states.get(id));
            }

            @Override
            public java.util.concurrent.CompletionStage<Map<String, String>> all() {
                return java.util.concurrent.CompletableFuture.completedFuture(Map.copyOf(states));
            }

            @Override
            public synchronized java.util.concurrent.CompletionStage<Boolean> replace(String id, String expected, String next) {
                boolean same = java.util.Objects.equals(states.get(id), expected);
                if (same) {
                    if (next == null) {
                        states.remove(id);
                    } else {
                        states.put(id, next);
                    }
                }
                return java.util.concurrent.CompletableFuture.completedFuture(same);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> stageOffsets(String group, long pid,
                    Map<TopicPartition, io.korvet.storage.GroupStore.CommittedOffset> offsets) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> completeOffsets(String group, long pid, boolean commit) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }

            @Override
            public java.util.concurrent.CompletionStage<java.util.Set<TopicPartition>> pendingOffsets(String group) {
                return java.util.concurrent.CompletableFuture.completedFuture(java.util.Set.of());
            }
        };
    }

    static PartitionStore partitionStore() {
        return backedBy(PartitionStore.class, new MemoryPartitionStore());
    }

    /**
     * Implements a storage interface with the same-named methods of {@code impl}; any other method fails
     * loudly. The interfaces grow with the broker; this test needs only the methods below.
     */
    @SuppressWarnings("unchecked")
    static <T> T backedBy(Class<T> type, Object impl) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            for (Method m : impl.getClass().getDeclaredMethods()) {
                if (m.getName().equals(method.getName()) && m.getParameterCount() == method.getParameterCount()) {
                    try {
                        return m.invoke(impl, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }
            }
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(impl, args);
            }
            throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName() + " is not used by this test");
        });
    }

    /** The {@link TopicStore} methods the handlers use. */
    static final class MemoryTopicStore {
        final Map<String, TopicRecord> topics = new ConcurrentHashMap<>();
        final AtomicLong producerIds = new AtomicLong(1000);

        public CompletionStage<List<TopicRecord>> loadTopics() {
            return CompletableFuture.completedFuture(List.copyOf(topics.values()));
        }

        public CompletionStage<List<TopicRecord>> loadTopics(java.util.Collection<String> names) {
            return CompletableFuture.completedFuture(names.stream().map(topics::get).filter(java.util.Objects::nonNull).toList());
        }

        public CompletionStage<Boolean> createTopic(TopicRecord topic) {
            return CompletableFuture.completedFuture(topics.putIfAbsent(topic.name(), topic) == null);
        }

        public CompletionStage<Long> nextProducerId() {
            return CompletableFuture.completedFuture(producerIds.getAndIncrement());
        }
    }

    /** A single broker's leadership (node 0, leading everything), over a registry nobody else is in. */
    public static io.korvet.cluster.PartitionLeadership leadership(TopicManager topics, io.korvet.log.LogManager logs) {
        io.korvet.cluster.ClusterStore alone = new io.korvet.cluster.ClusterStore() {
            @Override
            public CompletionStage<Heartbeat> heartbeat(io.korvet.cluster.BrokerInfo self, String incarnation, long sessionMs,
                                                        boolean takeOver) {
                return CompletableFuture.completedFuture(new Heartbeat(true, 0, List.of(), null));
            }

            @Override
            public CompletionStage<Void> leave(int nodeId, String incarnation) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Long> version() {
                return CompletableFuture.completedFuture(0L);
            }

            @Override
            public CompletionStage<Map<TopicPartition, Integer>> leaderEpochs() {
                return CompletableFuture.completedFuture(Map.of());
            }

            @Override
            public CompletionStage<Void> publishLeader(TopicPartition tp, int epoch, int nodeId) {
                return CompletableFuture.completedFuture(null);
            }
        };
        var membership = new io.korvet.cluster.ClusterMembership(alone,
                new io.korvet.cluster.BrokerInfo(0, "localhost", 9092, null), 9000, 2000, 100);
        return new io.korvet.cluster.PartitionLeadership(membership, topics, logs, false);
    }

    /** The {@link PartitionStore} methods the handlers use. */
    static final class MemoryPartitionStore {
        final Map<TopicPartition, List<StoredRecord>> logs = new ConcurrentHashMap<>();

        private List<StoredRecord> log(TopicPartition tp) {
            return logs.computeIfAbsent(tp, p -> new ArrayList<>());
        }

        public CompletionStage<long[]> offsets(TopicPartition tp) {
            return CompletableFuture.completedFuture(new long[] {0, log(tp).size()});
        }

        public CompletionStage<PartitionState> loadState(TopicPartition tp, int scanEntries, int heldEpoch) {
            return CompletableFuture.completedFuture(new PartitionState(0, log(tp).size(), List.of(), 0,
                    new java.util.TreeMap<>(Map.of(0, 0L))));
        }

        public CompletionStage<Void> append(TopicPartition tp, long baseOffset, int leaderEpoch, BatchHeader header,
                                            List<NewRecord> records) {
            List<StoredRecord> log = log(tp);
            if (baseOffset != log.size()) {
                return CompletableFuture.failedFuture(new StorageException.Fenced(baseOffset, log.size()));
            }
            for (int i = 0; i < records.size(); i++) {
                NewRecord r = records.get(i);
                log.add(new StoredRecord(baseOffset + i, r.timestamp(), r.key(), r.value(), r.headers(), i == 0 ? header : null));
            }
            return CompletableFuture.completedFuture(null);
        }

        public CompletionStage<List<StoredRecord>> read(TopicPartition tp, long fromOffset, int maxRecords) {
            List<StoredRecord> log = log(tp);
            int from = (int) Math.min(fromOffset, log.size());
            return CompletableFuture.completedFuture(List.copyOf(log.subList(from, Math.min(log.size(), from + maxRecords))));
        }

        public CompletionStage<TimestampLookup> findByTimestamp(TopicPartition tp, long fromOffset, long timestamp, int scanLimit) {
            List<StoredRecord> log = log(tp);
            for (StoredRecord r : log) {
                if (r.offset() >= fromOffset && r.timestamp() >= timestamp) {
                    return CompletableFuture.completedFuture(new TimestampLookup(true, r.offset(), r.timestamp(), r.offset()));
                }
            }
            return CompletableFuture.completedFuture(new TimestampLookup(false, log.size(), -1, -1));
        }

        public CompletionStage<TimestampLookup> findMaxTimestamp(TopicPartition tp) {
            StoredRecord max = null;
            for (StoredRecord r : log(tp)) {
                if (max == null || r.timestamp() > max.timestamp()) {
                    max = r;
                }
            }
            return CompletableFuture.completedFuture(max == null ? null : new TimestampLookup(true, max.offset(), max.timestamp(), max.offset()));
        }
    }

    /** TopicManager's dependencies are still growing: build it from whichever of these its constructor asks for. */
    static TopicManager topicManager(Object... available) {
        for (Constructor<?> c : TopicManager.class.getConstructors()) {
            Object[] args = new Object[c.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                for (Object candidate : available) {
                    if (c.getParameterTypes()[i].isInstance(candidate)) {
                        args[i] = candidate;
                        break;
                    }
                }
            }
            if (Arrays.stream(args).allMatch(Objects::nonNull)) {
                try {
                    return (TopicManager) c.newInstance(args);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        }
        throw new AssertionError("no TopicManager constructor takes only " + Arrays.toString(available));
    }
}
