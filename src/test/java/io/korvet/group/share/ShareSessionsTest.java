package io.korvet.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.group.share.ShareSessions.Partition;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ShareSessionsTest {

    private static final Partition P0 = new Partition(Uuid.ONE_UUID, 0);
    private static final Partition P1 = new Partition(Uuid.ONE_UUID, 1);

    @Test
    void epochsOpenContinueAndCloseASession() {
        ShareSessions s = new ShareSessions();
        assertThat(s.fetch("g", "m", 1, List.of(), List.of()).error()).isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
        assertThat(s.acknowledge("g", "m", 0).error()).isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
        assertThat(s.fetch("g", "m", 0, List.of(P0), List.of()).session().partitions()).containsExactly(P0);
        assertThat(s.fetch("g", "m", 2, List.of(), List.of()).error()).isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
        assertThat(s.fetch("g", "m", 1, List.of(P1), List.of()).session().partitions()).containsExactly(P0, P1);
        assertThat(s.acknowledge("g", "m", 2).error()).isEqualTo(Errors.NONE);
        assertThat(s.fetch("g", "m", 3, List.of(), List.of(P0)).session().partitions()).containsExactly(P1);
        assertThat(s.fetch("g", "m", -1, List.of(), List.of()).error()).isEqualTo(Errors.NONE);
        assertThat(s.acknowledge("g", "m", 4).error()).isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
    }

    @Test
    void eachFetchStartsAtTheNextPartition() {
        ShareSessions s = new ShareSessions();
        ShareSessions.Session session = s.fetch("g", "m", 0, List.of(P0, P1), List.of()).session();
        assertThat(session.rotated()).containsExactly(P0, P1);
        assertThat(session.rotated()).containsExactly(P1, P0);
        assertThat(session.rotated()).containsExactly(P0, P1);
    }

    @Test
    void newSessionsPastTheLimitAreRefused() {
        ShareSessions s = new ShareSessions(1);
        assertThat(s.fetch("g", "a", 0, List.of(P0), List.of()).error()).isEqualTo(Errors.NONE);
        assertThat(s.fetch("g", "b", 0, List.of(P0), List.of()).error()).isEqualTo(Errors.SHARE_SESSION_LIMIT_REACHED);
        // The same member opening its session again is not a new one.
        assertThat(s.fetch("g", "a", 0, List.of(P0), List.of()).error()).isEqualTo(Errors.NONE);
        s.forget("g", "a");
        assertThat(s.fetch("g", "b", 0, List.of(P0), List.of()).error()).isEqualTo(Errors.NONE);
    }
}
