package io.korvet;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What failed, under the wrappers that futures put around it. */
public final class Failures {

    private Failures() {
    }

    /** The failure inside any {@link CompletionException} or {@link ExecutionException}, else {@code e} itself. */
    public static Throwable cause(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
