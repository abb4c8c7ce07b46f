package io.korvet.handler;

import org.apache.kafka.common.acl.AclOperation;
import io.korvet.dispatch.ApiHandler;
import io.korvet.dispatch.RequestContext;
import io.korvet.security.ScramCredentialStore;
import io.korvet.security.ScramMechanism;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;

/**
 * DescribeUserScramCredentials (KIP-554): which users have SCRAM credentials, with each mechanism's iterations
 * (never a salt or key). No users named means every user.
 */
public final class DescribeUserScramCredentialsHandler implements ApiHandler<DescribeUserScramCredentialsRequest> {

    private final ScramCredentialStore store;

    public DescribeUserScramCredentialsHandler(ScramCredentialStore store) {
        this.store = store;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DescribeUserScramCredentialsRequest request) {
        List<UserName> wanted = request.data().users();
        if (!context.allowedOnCluster(AclOperation.DESCRIBE)) {
            return java.util.concurrent.CompletableFuture.completedFuture(new DescribeUserScramCredentialsResponseData()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()).setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
        }
        return store.describe().thenApply(all -> {
            DescribeUserScramCredentialsResponseData data = new DescribeUserScramCredentialsResponseData()
                    .setErrorCode(Errors.NONE.code());
            if (wanted == null || wanted.isEmpty()) {
                new TreeMap<>(all).forEach((user, mechanisms) -> data.results().add(found(user, mechanisms)));
                return data;
            }
            Set<String> seen = new HashSet<>();
            Set<String> duplicated = new HashSet<>();
            for (UserName u : wanted) {
                if (!seen.add(u.name())) {
                    duplicated.add(u.name());
                }
            }
            Set<String> answered = new HashSet<>();
            for (UserName u : wanted) {
                String user = u.name();
                if (!answered.add(user)) {
                    continue;
                }
                if (duplicated.contains(user)) {
                    data.results().add(new DescribeUserScramCredentialsResult().setUser(user)
                            .setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                            .setErrorMessage("Cannot describe SCRAM credentials for the same user twice in a single request"));
                } else if (!all.containsKey(user)) {
                    data.results().add(new DescribeUserScramCredentialsResult().setUser(user)
                            .setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                            .setErrorMessage("Attempt to describe a user credential that does not exist"));
                } else {
                    data.results().add(found(user, all.get(user)));
                }
            }
            return data;
        });
    }

    private static DescribeUserScramCredentialsResult found(String user, Map<ScramMechanism, Integer> mechanisms) {
        List<CredentialInfo> infos = new ArrayList<>();
        new TreeMap<>(mechanisms).forEach((m, iterations) -> infos.add(new CredentialInfo().setMechanism(m.type())
                .setIterations(iterations)));
        return new DescribeUserScramCredentialsResult().setUser(user).setErrorCode(Errors.NONE.code()).setCredentialInfos(infos);
    }
}
