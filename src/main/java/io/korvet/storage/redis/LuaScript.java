package io.korvet.storage.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** A Lua script from resources, run by SHA and re-sent in full when Redis has lost its script cache. */
final class LuaScript {

    private final String name;
    private final byte[] body;
    private final String sha;

    private LuaScript(String name, byte[] body) {
        this.name = name;
        this.body = body;
        this.sha = sha1(body);
    }

    /** Loads {@code lua/<name>.lua} with the shared helpers of {@code lua/common.lua} in front. */
    static LuaScript load(String name) {
        String source = read("common") + "\n" + read(name);
        return new LuaScript(name, source.getBytes(StandardCharsets.UTF_8));
    }

    String name() {
        return name;
    }

    /** Loads the script into Redis's script cache. */
    CompletionStage<String> preload(RedisClusterAsyncCommands<byte[], byte[]> redis) {
        return redis.scriptLoad(body);
    }

    /**
     * Runs a script that only reads, or writes only what it may write again (load_state resets the next key from
     * the stream, trims commute with appends): when Redis has lost its script cache (a restart), it is sent again
     * in full and run.
     */
    <T> CompletionStage<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, ScriptOutputType type, byte[] key, byte[]... args) {
        return run(redis, type, new byte[][] {key}, args);
    }

    /** {@link #run(RedisClusterAsyncCommands, ScriptOutputType, byte[], byte[]...)} for a script of several keys. */
    <T> CompletionStage<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, ScriptOutputType type, byte[][] keys, byte[]... args) {
        return run(redis, () -> redis.<T>evalsha(sha, type, keys, args), () -> redis.<T>eval(body, type, keys, args));
    }

    /**
     * Runs a script that writes, through an EVALSHA the caller encoded itself (with {@link #shaBytes()}).
     * When Redis has lost its script cache it fails (nothing was run) and the script is loaded again for the
     * next call: re-sending it here could let a later call overtake it.
     */
    <T> CompletionStage<T> runInOrder(RedisClusterAsyncCommands<byte[], byte[]> redis, Supplier<CompletionStage<T>> evalsha) {
        return run(redis, evalsha, null);
    }

    byte[] shaBytes() {
        return sha.getBytes(StandardCharsets.US_ASCII);
    }

    /** Runs {@code evalsha}; when Redis has lost the script, runs {@code eval} (the full body), or fails without one. */
    private <T> CompletionStage<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, Supplier<CompletionStage<T>> evalsha,
                                       Supplier<CompletionStage<T>> eval) {
        CompletableFuture<T> result = new CompletableFuture<>();
        evalsha.get().whenComplete((value, error) -> {
            if (error instanceof RedisNoScriptException && eval == null) {
                preload(redis);
                // Still Redis's error reply, so that the translation counts it as one.
                result.completeExceptionally(new RedisNoScriptException(
                        "NOSCRIPT: Redis lost the " + name + " script (restarted?); it is being loaded again", error));
            } else if (error instanceof RedisNoScriptException) {
                eval.get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                });
            } else if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        });
        return result;
    }

    private static String read(String name) {
        String path = "/lua/" + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
