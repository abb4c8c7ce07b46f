package io.korvet.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Answers a request's topics partition by partition, each partition on its own (its failure is its own
 * error code), and assembles the response in request order once every partition is answered.
 */
final class PerPartition {

    private PerPartition() {
    }

    /**
     * @param partitions a request topic's partitions
     * @param answer one partition's answer
     * @param assemble a response topic from the request topic and its partitions' answers, in order
     * @return the response topics, in request order
     */
    static <T, P, A, R> CompletionStage<List<R>> answer(Iterable<T> topics, Function<T, Iterable<P>> partitions,
                                                        BiFunction<T, P, CompletionStage<A>> answer,
                                                        BiFunction<T, List<A>, R> assemble) {
        List<T> requested = new ArrayList<>();
        List<List<CompletableFuture<A>>> answers = new ArrayList<>();
        List<CompletableFuture<A>> all = new ArrayList<>();
        for (T topic : topics) {
            List<CompletableFuture<A>> parts = new ArrayList<>();
            for (P p : partitions.apply(topic)) {
                CompletableFuture<A> a = answer.apply(topic, p).toCompletableFuture();
                parts.add(a);
                all.add(a);
            }
            requested.add(topic);
            answers.add(parts);
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).thenApply(v -> {
            List<R> results = new ArrayList<>(requested.size());
            for (int i = 0; i < requested.size(); i++) {
                results.add(assemble.apply(requested.get(i), answers.get(i).stream().map(CompletableFuture::join).toList()));
            }
            return results;
        });
    }
}
