package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.security.ScramCredentialStore;
import io.korvet.security.ScramMechanism;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;

/**
 * AlterUserScramCredentials (KIP-554), as {@code kafka-configs.sh --alter --entity-type users --add-config
 * 'SCRAM-SHA-256=[password=...]'} sends it: the client salts the password, the broker keeps only the StoredKey and
 * ServerKey derived from it. Each user's changes apply together or not at all, with Kafka's per-user errors.
 */
public final class AlterUserScramCredentialsHandler implements ApiHandler<AlterUserScramCredentialsRequest> {

    private final ScramCredentialStore store;

    public AlterUserScramCredentialsHandler(ScramCredentialStore store) {
        this.store = store;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    /** One change of one user: a deletion (credential null) or an upsertion. */
    private record Change(String user, ScramMechanism mechanism, ScramCredentialUpsertion upsertion) {
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, AlterUserScramCredentialsRequest request) {
        Map<String, List<Change>> byUser = new LinkedHashMap<>();
        Map<String, Errors> errors = new LinkedHashMap<>();
        Map<String, String> messages = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        List<Object> all = new ArrayList<>();
        all.addAll(request.data().deletions());
        all.addAll(request.data().upsertions());
        boolean allowed = context.allowedOnCluster(AclOperation.ALTER);
        for (Object o : all) {
            String user = o instanceof ScramCredentialDeletion d ? d.name() : ((ScramCredentialUpsertion) o).name();
            byte type = o instanceof ScramCredentialDeletion d ? d.mechanism() : ((ScramCredentialUpsertion) o).mechanism();
            byUser.computeIfAbsent(user, u -> new ArrayList<>());
            if (!allowed) {
                errors.put(user, Errors.CLUSTER_AUTHORIZATION_FAILED);
                messages.put(user, Errors.CLUSTER_AUTHORIZATION_FAILED.message());
            }
            if (errors.containsKey(user)) {
                continue;
            }
            ScramMechanism mechanism = ScramMechanism.forType(type);
            String problem = null;
            Errors error = null;
            if (user.isEmpty()) {
                error = Errors.UNACCEPTABLE_CREDENTIAL;
                problem = "Username must not be empty";
            } else if (mechanism == null) {
                error = Errors.UNSUPPORTED_SASL_MECHANISM;
                problem = "Unknown SCRAM mechanism";
            } else if (!seen.add(user + "\0" + type)) {
                error = Errors.DUPLICATE_RESOURCE;
                problem = "A user credential cannot be altered twice in the same request";
            } else if (o instanceof ScramCredentialUpsertion u) {
                if (u.iterations() < ScramMechanism.MIN_ITERATIONS) {
                    error = Errors.UNACCEPTABLE_CREDENTIAL;
                    problem = "Too few iterations";
                } else if (u.iterations() > ScramMechanism.MAX_ITERATIONS) {
                    error = Errors.UNACCEPTABLE_CREDENTIAL;
                    problem = "Too many iterations";
                } else if (u.salt().length == 0 || u.saltedPassword().length == 0) {
                    error = Errors.UNACCEPTABLE_CREDENTIAL;
                    problem = "The salt and the salted password must not be empty";
                }
            }
            if (error != null) {
                errors.put(user, error);
                messages.put(user, problem);
            } else {
                byUser.get(user).add(new Change(user, mechanism, o instanceof ScramCredentialUpsertion u ? u : null));
            }
        }
        List<CompletableFuture<AlterUserScramCredentialsResult>> results = new ArrayList<>();
        for (Map.Entry<String, List<Change>> e : byUser.entrySet()) {
            String user = e.getKey();
            if (errors.containsKey(user)) {
                results.add(CompletableFuture.completedFuture(result(user, errors.get(user), messages.get(user))));
            } else {
                results.add(apply(user, e.getValue()).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).thenApply(v -> {
            AlterUserScramCredentialsResponseData data = new AlterUserScramCredentialsResponseData();
            results.forEach(r -> data.results().add(r.join()));
            return data;
        });
    }

    /** A user's changes: deletions of credentials it does not have refuse them all, as Kafka does. */
    private CompletionStage<AlterUserScramCredentialsResult> apply(String user, List<Change> changes) {
        return store.describe().thenCompose(existing -> {
            Map<ScramMechanism, Integer> has = existing.getOrDefault(user, Map.of());
            for (Change c : changes) {
                if (c.upsertion() == null && !has.containsKey(c.mechanism())) {
                    return CompletableFuture.completedFuture(result(user, Errors.RESOURCE_NOT_FOUND,
                            "Attempt to delete a user credential that does not exist"));
                }
            }
            CompletableFuture<Object> done = CompletableFuture.completedFuture(null);
            for (Change c : changes) {
                done = done.thenCompose(v -> c.upsertion() == null
                        ? store.delete(c.mechanism(), user).toCompletableFuture().thenApply(deleted -> (Object) null)
                        : store.put(c.mechanism(), user, c.mechanism().credential(c.upsertion().salt(),
                                c.upsertion().saltedPassword(), c.upsertion().iterations())).toCompletableFuture().thenApply(x -> (Object) null));
            }
            return done.thenApply(v -> result(user, Errors.NONE, null));
        });
    }

    private static AlterUserScramCredentialsResult result(String user, Errors error, String message) {
        return new AlterUserScramCredentialsResult().setUser(user).setErrorCode(error.code()).setErrorMessage(message);
    }
}
