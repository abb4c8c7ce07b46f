package io.korvet.topic;

import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;

/** The rules Kafka applies to a topic's partition count and replication factor, with Kafka's errors and messages. */
final class TopicRules {

    /** The broker key bounding a topic's partition count: each partition is a stream, listed in every Metadata answer. */
    static final String MAX_PARTITIONS_KEY = "korvet.max.partitions.per.topic";
    /**
     * Kafka's limit on the records of one controller operation, which bounds the partitions a topic is created
     * with and the partitions added to it at once.
     */
    private static final int MAX_NEW_PARTITIONS = 10_000;

    private final int maxPartitions;

    TopicRules(int maxPartitions) {
        this.maxPartitions = maxPartitions;
    }

    /** The partition count of a new topic, checked. */
    int newPartitionCount(String name, int count) {
        if (count <= 0) {
            throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
        }
        if (count > MAX_NEW_PARTITIONS) {
            // As Kafka's controller refuses an operation of more than 10,000 records (one per partition).
            throw new PolicyViolationException("Unable to perform excessively large batch operation.");
        }
        checkMaxPartitions(name, count);
        return count;
    }

    void checkIncrease(String name, int current, int count) {
        if (count < current) {
            throw new InvalidPartitionsException("The topic " + name + " currently has " + current + " partition(s); "
                    + count + " would not be an increase.");
        }
        if (count == current) {
            throw new InvalidPartitionsException("Topic already has " + current + " partition(s).");
        }
        if (count - current > MAX_NEW_PARTITIONS) {
            throw new PolicyViolationException("Unable to perform excessively large batch operation.");
        }
        checkMaxPartitions(name, count);
    }

    private void checkMaxPartitions(String name, int count) {
        if (count > maxPartitions) {
            throw new InvalidPartitionsException("Topic " + name + " cannot have " + count + " partitions: at most " + maxPartitions
                    + " are allowed (" + MAX_PARTITIONS_KEY + ").");
        }
    }

    /** -1 (the default) or up to the live brokers, each of which is a replica of every partition. */
    static void checkReplicationFactor(short replicationFactor, int brokers) {
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0.");
        }
        if (replicationFactor > brokers) {
            throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor
                    + " larger than available brokers: " + brokers + ". Every Korvet broker serves every partition from"
                    + " one copy in Redis; redundancy is Redis's job (replicas, persistence).");
        }
    }
}
