package io.korvet.handler;

import io.korvet.dispatch.RequestContext;
import io.korvet.quota.Throttles;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.protocol.Errors;

/**
 * One CreateTopics, CreatePartitions or DeleteTopics request's use of the client's {@code controller_mutation_rate}
 * (KIP-599), as Kafka's controller applies it topic by topic: from the request version where the quota is strict, a
 * topic asked while the client's bucket is below zero is refused THROTTLING_QUOTA_EXCEEDED; otherwise the topic's
 * partitions are taken from the bucket (given back if the change fails). The response carries the throttle time and
 * the connection is muted for it; before the strict versions every topic goes ahead and only the response is
 * throttled.
 */
final class MutationQuota {

    private final Throttles throttles;
    private final RequestContext context;
    private final boolean strict;
    private int throttleMs;

    MutationQuota(Throttles throttles, RequestContext context, short strictSince) {
        this.throttles = throttles;
        this.context = context;
        this.strict = context.apiVersion() >= strictSince;
    }

    /**
     * Runs {@code change} for a topic of {@code partitions} partitions unless the quota refuses it, in which case
     * the stage fails with THROTTLING_QUOTA_EXCEEDED; {@code change} may throw an {@link org.apache.kafka.common.errors.ApiException}
     * for a topic it refuses at once.
     */
    <T> CompletionStage<T> apply(int partitions, Supplier<CompletionStage<T>> change) {
        if (partitions <= 0) {
            // Nothing to create or delete (a topic that exists already, or that is unknown): the change answers
            // with its own error, as Kafka's controller validates a topic before it checks the quota.
            return run(change);
        }
        long now = System.currentTimeMillis();
        if (strict) {
            int ms = throttles.mutationThrottleMs(context.quotaUser(), context.quotaClientId(), now);
            if (ms > 0) {
                throttleMs = Math.max(throttleMs, ms);
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new ThrottlingQuotaExceededException(ms, Errors.THROTTLING_QUOTA_EXCEEDED.message()));
            }
        }
        throttles.recordMutations(context.quotaUser(), context.quotaClientId(), partitions, now);
        return run(change).whenComplete((v, failure) -> {
            if (failure != null) {
                throttles.recordMutations(context.quotaUser(), context.quotaClientId(), -partitions, System.currentTimeMillis());
            }
        });
    }

    private static <T> CompletionStage<T> run(Supplier<CompletionStage<T>> change) {
        try {
            return change.get();
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /** The response's throttle time, the connection muted for it. */
    int finish() {
        if (!strict) {
            throttleMs = throttles.mutationThrottleMs(context.quotaUser(), context.quotaClientId(), System.currentTimeMillis());
        }
        if (throttleMs > 0) {
            context.mute().muteFor(throttleMs);
        }
        return throttleMs;
    }
}
