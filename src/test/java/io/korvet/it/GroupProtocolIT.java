package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The classic group protocol's rules over raw requests, where real clients would hide them: KIP-394 member
 * ids, generations, errors, and a member that stops rejoining (its poll loop stuck past max.poll.interval.ms,
 * which is the rebalance timeout) expelled when the rebalance timeout expires.
 */
class GroupProtocolIT {

    static KorvetCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = KorvetCluster.start(Map.of("group.initial.rebalance.delay.ms", "0"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static JoinGroupRequest join(String group, String memberId, int rebalanceTimeoutMs) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        return new JoinGroupRequest.Builder(new JoinGroupRequestData()
                .setGroupId(group).setMemberId(memberId).setSessionTimeoutMs(30_000)
                .setRebalanceTimeoutMs(rebalanceTimeoutMs).setProtocolType("consumer").setProtocols(protocols))
                .build((short) 9);
    }

    static JoinGroupResponse joinAsNew(RawKafkaConnection c, String group, int rebalanceTimeoutMs) throws Exception {
        JoinGroupResponse first = c.call(join(group, "", rebalanceTimeoutMs));
        assertThat(first.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.data().memberId()).isNotEmpty();
        return c.call(join(group, first.data().memberId(), rebalanceTimeoutMs));
    }

    static SyncGroupResponse sync(RawKafkaConnection c, String group, String memberId, int generation,
                                  List<SyncGroupRequestData.SyncGroupRequestAssignment> assignments) throws Exception {
        return c.call(new SyncGroupRequest.Builder(new SyncGroupRequestData()
                .setGroupId(group).setMemberId(memberId).setGenerationId(generation)
                .setProtocolType("consumer").setProtocolName("range").setAssignments(assignments)).build((short) 5));
    }

    static HeartbeatResponse heartbeat(RawKafkaConnection c, String group, String memberId, int generation) throws Exception {
        return c.call(new HeartbeatRequest.Builder(new HeartbeatRequestData()
                .setGroupId(group).setMemberId(memberId).setGenerationId(generation)).build((short) 4));
    }

    @Test
    void aMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsExpelled() throws Exception {
        String group = "stuck-group";
        try (RawKafkaConnection a = RawKafkaConnection.open(cluster.port());
             RawKafkaConnection b = RawKafkaConnection.open(cluster.port())) {
            a.setReadTimeout(20_000);
            b.setReadTimeout(20_000);
            JoinGroupResponse joinedA = joinAsNew(a, group, 2_000);
            assertThat(joinedA.error()).isEqualTo(Errors.NONE);
            String memberA = joinedA.data().memberId();
            int generation = joinedA.data().generationId();
            assertThat(joinedA.data().leader()).isEqualTo(memberA);
            assertThat(sync(a, group, memberA, generation, List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                    .setMemberId(memberA).setAssignment(new byte[] {9}))).data().assignment()).containsExactly(9);
            assertThat(heartbeat(a, group, memberA, generation).error()).isEqualTo(Errors.NONE);
            assertThat(heartbeat(a, group, memberA, generation + 1).error()).isEqualTo(Errors.ILLEGAL_GENERATION);
            assertThat(heartbeat(a, group, "nobody", generation).error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

            // B joins: a rebalance starts; A learns of it from its heartbeat but never rejoins.
            JoinGroupResponse firstB = b.call(join(group, "", 2_000));
            String memberB = firstB.data().memberId();
            CompletableFuture<JoinGroupResponse> joinedB = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.call(join(group, memberB, 2_000));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300);
            assertThat(heartbeat(a, group, memberA, generation).error()).isEqualTo(Errors.REBALANCE_IN_PROGRESS);

            // After A's rebalance timeout, the rebalance completes without A, and B leads the new generation.
            JoinGroupResponse response = joinedB.get(15, TimeUnit.SECONDS);
            assertThat(response.error()).isEqualTo(Errors.NONE);
            assertThat(response.data().generationId()).isEqualTo(generation + 1);
            assertThat(response.data().leader()).isEqualTo(memberB);
            assertThat(response.data().members()).extracting(m -> m.memberId()).containsExactly(memberB);
            assertThat(heartbeat(a, group, memberA, generation).error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        }
    }
}
