package io.korvet.storage.redis;

import io.korvet.security.ScramCredential;
import io.korvet.security.ScramCredentialStore;
import io.korvet.security.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/** SCRAM credentials in one Redis hash, {@link RedisKeys#scramCredentials()}, read at each login (never cached). */
public final class RedisScramCredentialStore implements ScramCredentialStore {

    private final RedisConnector redis;
    private final RedisKeys keys;

    public RedisScramCredentialStore(RedisConnector redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    private static byte[] field(ScramMechanism mechanism, String user) {
        return RedisKeys.bytes(mechanism.mechanismName() + ":" + user);
    }

    @Override
    public CompletionStage<ScramCredential> get(ScramMechanism mechanism, String user) {
        return redis.translate(redis.async().hget(keys.scramCredentials(), field(mechanism, user)),
                "reading the SCRAM credential of a user").thenApply(v -> v == null ? null
                : ScramCredential.decode(new String(v, StandardCharsets.UTF_8)));
    }

    @Override
    public CompletionStage<Void> put(ScramMechanism mechanism, String user, ScramCredential credential) {
        return redis.translate(redis.async().hset(keys.scramCredentials(), field(mechanism, user),
                RedisKeys.bytes(credential.encode())), "storing a SCRAM credential").thenApply(v -> null);
    }

    @Override
    public CompletionStage<Boolean> delete(ScramMechanism mechanism, String user) {
        return redis.translate(redis.async().hdel(keys.scramCredentials(), field(mechanism, user)),
                "deleting a SCRAM credential").thenApply(n -> n > 0);
    }

    @Override
    public CompletionStage<Map<String, Map<ScramMechanism, Integer>>> describe() {
        return redis.translate(redis.async().hgetall(keys.scramCredentials()), "listing the SCRAM credentials")
                .thenApply(all -> {
                    Map<String, Map<ScramMechanism, Integer>> users = new TreeMap<>();
                    all.forEach((f, v) -> {
                        String name = new String(f, StandardCharsets.UTF_8);
                        int colon = name.indexOf(':');
                        ScramMechanism m = ScramMechanism.forName(name.substring(0, colon));
                        if (m != null) {
                            users.computeIfAbsent(name.substring(colon + 1), u -> new HashMap<>())
                                    .put(m, ScramCredential.decode(new String(v, StandardCharsets.UTF_8)).iterations());
                        }
                    });
                    return users;
                });
    }
}
