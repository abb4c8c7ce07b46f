package io.korvet.handler;

import org.apache.kafka.common.protocol.Errors;

/** KIP-320's check of the leader epoch a client believes current against the leader's own. */
final class LeaderEpochCheck {

    private LeaderEpochCheck() {
    }

    /**
     * NONE when the client sent no epoch (-1) or the leader's; FENCED_LEADER_EPOCH when the client's is older (its
     * metadata is stale), UNKNOWN_LEADER_EPOCH when newer (this leader's view is).
     */
    static Errors check(int clientEpoch, int leaderEpoch) {
        if (clientEpoch < 0 || clientEpoch == leaderEpoch) {
            return Errors.NONE;
        }
        return clientEpoch < leaderEpoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }
}
