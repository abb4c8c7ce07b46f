package io.korvet.group.share;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Share sessions (KIP-932): per group member, the partitions its ShareFetch requests fetch, and the epoch its next
 * ShareFetch or ShareAcknowledge must carry. Epoch 0 opens a session (replacing one the member had), -1 closes it,
 * any other must be the session's next (INVALID_SHARE_SESSION_EPOCH), and a member without a session gets
 * SHARE_SESSION_NOT_FOUND.
 */
public final class ShareSessions {

    /** One partition of a session. */
    public record Partition(Uuid topicId, int partition) {
    }

    /** A session's partitions, in the order they were added. */
    public static final class Session {
        private final Set<Partition> partitions = new LinkedHashSet<>();
        private int nextEpoch = 1;

        private int rotation;

        public synchronized Set<Partition> partitions() {
            return new LinkedHashSet<>(partitions);
        }

        /** The partitions, starting one further on at each call, so that no partition always comes first to a fetch's record budget. */
        public synchronized List<Partition> rotated() {
            List<Partition> all = new ArrayList<>(partitions);
            if (!all.isEmpty()) {
                Collections.rotate(all, -(rotation++ % all.size()));
            }
            return all;
        }
    }

    /** A request's session, or the error that refuses it. */
    public record Use(Errors error, Session session) {
    }

    private record Key(String groupId, String memberId) {
    }

    /** Kafka's default {@code group.share.max.share.sessions}: past it, a new session is SHARE_SESSION_LIMIT_REACHED. */
    public static final int MAX_SESSIONS = 2000;

    private final Map<Key, Session> sessions = new ConcurrentHashMap<>();
    private final int maxSessions;

    public ShareSessions() {
        this(MAX_SESSIONS);
    }

    public ShareSessions(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    /** A ShareFetch: opens, continues or (epoch -1) closes the member's session, with the request's partitions. */
    public Use fetch(String groupId, String memberId, int epoch, Collection<Partition> added, Collection<Partition> forgotten) {
        Key key = new Key(groupId, memberId);
        if (epoch == 0) {
            if (!sessions.containsKey(key) && sessions.size() >= maxSessions) {
                return new Use(Errors.SHARE_SESSION_LIMIT_REACHED, null);
            }
            Session s = new Session();
            s.partitions.addAll(added);
            sessions.put(key, s);
            return new Use(Errors.NONE, s);
        }
        Use use = next(key, epoch);
        if (use.session() != null) {
            synchronized (use.session()) {
                use.session().partitions.addAll(added);
                use.session().partitions.removeAll(forgotten);
            }
        }
        return use;
    }

    /** A ShareAcknowledge: continues or (epoch -1) closes the member's session; it cannot open one. */
    public Use acknowledge(String groupId, String memberId, int epoch) {
        if (epoch == 0) {
            return new Use(Errors.INVALID_SHARE_SESSION_EPOCH, null);
        }
        return next(new Key(groupId, memberId), epoch);
    }

    private Use next(Key key, int epoch) {
        Session s = sessions.get(key);
        if (s == null) {
            return new Use(Errors.SHARE_SESSION_NOT_FOUND, null);
        }
        if (epoch == -1) {
            sessions.remove(key, s);
            return new Use(Errors.NONE, s);
        }
        synchronized (s) {
            if (epoch != s.nextEpoch) {
                return new Use(Errors.INVALID_SHARE_SESSION_EPOCH, null);
            }
            s.nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
        }
        return new Use(Errors.NONE, s);
    }

    /** Whether {@code session} is still the member's open session (not closed, nor replaced by a new one). */
    public boolean isOpen(String groupId, String memberId, Session session) {
        return sessions.get(new Key(groupId, memberId)) == session;
    }

    /** Forgets the member's session (it left its group). */
    public void forget(String groupId, String memberId) {
        sessions.remove(new Key(groupId, memberId));
    }

    /** How many sessions are open. */
    public int size() {
        return sessions.size();
    }
}
