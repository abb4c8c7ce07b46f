package io.korvet.group;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.Uuid;

/**
 * A consumer-protocol member's subscription resolved to topics: by names, or by a regular expression matched against
 * the topics the member may see. Shared by the members of both protocols in a consumer-protocol group.
 */
final class Subscriptions {

    private Subscriptions() {
    }

    /**
     * The ids of the existing topics a member subscribes to, by name or by its regular expression (matched against the
     * topics it may see). Resolved again at most once a second, or when its subscription changes: a new topic joins
     * at a later heartbeat, and a heartbeat does not scan every topic name for every member.
     */
    static Set<Uuid> ids(ModernMember m, TopicLookup topics) {
        long now = System.nanoTime();
        if (m.resolved != null && now - m.resolvedAtNanos < RESOLVE_EVERY_NANOS) {
            return m.resolved;
        }
        Set<Uuid> ids = new HashSet<>();
        for (String name : m.subscribedTopicNames) {
            Uuid id = topics.idOf(name);
            if (id != null) {
                ids.add(id);
            }
        }
        if (m.subscribedTopicRegex != null) {
            Pattern p = Pattern.compile(m.subscribedTopicRegex);
            for (String name : topics.names()) {
                if (p.matcher(name).matches() && m.visibleTopics.test(name)) {
                    Uuid id = topics.idOf(name);
                    if (id != null) {
                        ids.add(id);
                    }
                }
            }
        }
        m.resolved = ids;
        m.resolvedAtNanos = now;
        return ids;
    }

    private static final long RESOLVE_EVERY_NANOS = 1_000_000_000L;

    /** Checks a regular expression as a subscription takes it. */
    static String invalidRegex(String regex) {
        try {
            Pattern.compile(regex);
            return null;
        } catch (PatternSyntaxException e) {
            return e.getDescription();
        }
    }

}
