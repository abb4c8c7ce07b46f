package io.korvet.group;

import io.netty.util.Timeout;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The error answers of the classic group protocol (JoinGroup, SyncGroup), as classic groups and the classic members
 * of a consumer-protocol group give them.
 */
final class ClassicResponses {

    private ClassicResponses() {
    }

    static CompletableFuture<JoinGroupResponseData> joinError(String memberId, Errors error) {
        return CompletableFuture.completedFuture(errorJoin(memberId, error));
    }

    static JoinGroupResponseData errorJoin(String memberId, Errors error) {
        return new JoinGroupResponseData()
                .setErrorCode(error.code())
                .setGenerationId(-1)
                .setMemberId(memberId == null ? "" : memberId)
                .setLeader("")
                .setProtocolName(null);
    }

    static CompletableFuture<SyncGroupResponseData> syncError(Errors error) {
        return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(error.code()));
    }

    static void cancel(Timeout t) {
        if (t != null) {
            t.cancel();
        }
    }
}
