package io.korvet.group;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.korvet.group.ClassicResponses.cancel;
import static io.korvet.group.ClassicResponses.errorJoin;
import static io.korvet.group.ClassicResponses.joinError;
import static io.korvet.group.ClassicResponses.syncError;

/**
 * One classic consumer group and its rebalance protocol, as Kafka's group coordinator runs it: members
 * join (a new member first gets MEMBER_ID_REQUIRED and an id, KIP-394), the coordinator waits for every
 * known member to rejoin (or the rebalance timeout), bumps the generation, picks the protocol all
 * members support and the leader, the leader's SyncGroup hands out the assignment it computed, and
 * members that stop heartbeating for their session timeout are removed. Static members
 * ({@code group.instance.id}) keep their place across restarts. Every method holds the group's lock.
 */
final class ConsumerGroup {

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroup.class);

    /** What a JoinGroup asks, independent of the request version. */
    record JoinRequest(String memberId, String groupInstanceId, String clientId, String clientHost, int sessionTimeoutMs,
                       int rebalanceTimeoutMs, String protocolType, LinkedHashMap<String, byte[]> protocols,
                       boolean requireKnownMemberId, boolean leaderMaySkipAssignment) {
    }

    private final String groupId;
    private final Timer timer;
    private final int initialRebalanceDelayMs;

    private GroupState state = GroupState.EMPTY;
    private int generationId;
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private final GroupMembers members = new GroupMembers();
    private final Set<String> pendingMembers = new HashSet<>();
    private final Set<String> pendingSync = new HashSet<>();
    private Timeout rebalanceTimer;
    private long initialDelayDeadline;
    private final LongSupplier clock;
    /** Told when the group's last member left, with the time (ms): its offsets expire from then. */
    private final LongConsumer onEmpty;
    /** When the group became Empty here (ms), -1 if it has not since this broker holds it. */
    private long emptySinceMs = -1;

    ConsumerGroup(String groupId, Timer timer, int initialRebalanceDelayMs) {
        this(groupId, timer, initialRebalanceDelayMs, System::currentTimeMillis, ms -> { });
    }

    ConsumerGroup(String groupId, Timer timer, int initialRebalanceDelayMs, LongSupplier clock,
                  LongConsumer onEmpty) {
        this.groupId = groupId;
        this.timer = timer;
        this.initialRebalanceDelayMs = initialRebalanceDelayMs;
        this.clock = clock;
        this.onEmpty = onEmpty;
    }

    /** When the group became Empty on this broker (ms); -1 when it is not Empty or did not become so here. */
    synchronized long emptySinceMs() {
        return state == GroupState.EMPTY ? emptySinceMs : -1;
    }

    synchronized GroupState state() {
        return state;
    }

    synchronized String protocolType() {
        return protocolType;
    }

    synchronized int generationId() {
        return generationId;
    }

    synchronized boolean hasMember(String memberId) {
        return members.contains(memberId);
    }

    synchronized boolean isEmptyOrDead() {
        return state == GroupState.EMPTY || state == GroupState.DEAD;
    }

    synchronized List<Member> members() {
        return new ArrayList<>(members.all());
    }

    /** The protocol metadata of every member for the chosen protocol (for subscription checks). */
    synchronized List<byte[]> memberMetadata() {
        return protocolName == null ? List.of() : members.metadata(protocolName);
    }

    synchronized void markDead() {
        state = GroupState.DEAD;
        cancel(rebalanceTimer);
        for (Member m : members.all()) {
            cancel(m.sessionTimer);
        }
    }

    /**
     * The group ends here (another broker coordinates it, or it moves to the consumer protocol): it is dead, and the
     * members waiting in a JoinGroup or SyncGroup are answered {@code error}. Returns its members as they were.
     */
    synchronized List<Member> endHere(Errors error) {
        markDead();
        for (Member m : members.all()) {
            if (m.awaitingJoin != null) {
                m.awaitingJoin.complete(errorJoin(m.memberId, error));
            }
            if (m.awaitingSync != null) {
                m.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(error.code()));
            }
        }
        return new ArrayList<>(members.all());
    }

    /** Takes over the members of a consumer-protocol group at a generation, and rebalances (they rejoin). */
    synchronized void adopt(String type, int generation, List<Member> adopted) {
        protocolType = type;
        generationId = generation;
        adopted.forEach(members::add);
        adopted.forEach(this::scheduleSession);
        state = GroupState.STABLE;
        prepareRebalance("the group moved back from the consumer protocol");
    }

    // ---- JoinGroup ----

    synchronized CompletableFuture<JoinGroupResponseData> join(JoinRequest r) {
        if (state == GroupState.DEAD) {
            return joinError(r.memberId(), Errors.COORDINATOR_NOT_AVAILABLE);
        }
        if (!acceptsProtocols(r.protocolType(), r.protocols())) {
            return joinError(r.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        if (r.memberId().isEmpty()) {
            String newId = (r.clientId() == null ? "" : r.clientId()) + "-" + UUID.randomUUID();
            if (r.groupInstanceId() != null) {
                String existing = members.holderOf(r.groupInstanceId());
                return existing != null ? replaceStaticMember(existing, newId, r) : addMemberAndRebalance(newId, r);
            }
            if (r.requireKnownMemberId()) {
                pendingMembers.add(newId);
                timer.newTimeout(t -> expirePending(newId), r.sessionTimeoutMs(), TimeUnit.MILLISECONDS);
                return joinError(newId, Errors.MEMBER_ID_REQUIRED);
            }
            return addMemberAndRebalance(newId, r);
        }
        if (pendingMembers.remove(r.memberId())) {
            return addMemberAndRebalance(r.memberId(), r);
        }
        Member member = members.get(r.memberId());
        if (member == null) {
            return joinError(r.memberId(), Errors.UNKNOWN_MEMBER_ID);
        }
        if (members.fenced(r.memberId(), r.groupInstanceId())) {
            return joinError(r.memberId(), Errors.FENCED_INSTANCE_ID);
        }
        switch (state) {
            case PREPARING_REBALANCE -> {
                return rejoin(member, r);
            }
            case COMPLETING_REBALANCE, STABLE -> {
                if (member.sameProtocols(r.protocols()) && !(state == GroupState.STABLE && member.memberId.equals(leaderId))) {
                    // Nothing changed for this member: resend what it got for the current generation.
                    scheduleSession(member);
                    return CompletableFuture.completedFuture(joinResponse(member));
                }
                CompletableFuture<JoinGroupResponseData> f = rejoin(member, r);
                prepareRebalance("member " + member.memberId + " rejoined with new metadata");
                return f;
            }
            default -> {
                return joinError(r.memberId(), Errors.UNKNOWN_MEMBER_ID);
            }
        }
    }

    private CompletableFuture<JoinGroupResponseData> rejoin(Member member, JoinRequest r) {
        member.protocols = r.protocols();
        member.sessionTimeoutMs = r.sessionTimeoutMs();
        member.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
        CompletableFuture<JoinGroupResponseData> f = awaitJoin(member);
        scheduleSession(member);
        maybeCompleteJoin();
        return f;
    }

    private CompletableFuture<JoinGroupResponseData> addMemberAndRebalance(String memberId, JoinRequest r) {
        Member member = new Member(memberId, r.groupInstanceId(), r.clientId(), r.clientHost(), r.sessionTimeoutMs(),
                r.rebalanceTimeoutMs(), r.protocols());
        if (members.isEmpty()) {
            protocolType = r.protocolType();
        }
        members.add(member);
        CompletableFuture<JoinGroupResponseData> f = awaitJoin(member);
        scheduleSession(member);
        log.info("Member {} joins group {}{}", memberId, groupId,
                r.groupInstanceId() == null ? "" : " as static instance " + r.groupInstanceId());
        if (state == GroupState.PREPARING_REBALANCE) {
            extendInitialDelay();
            maybeCompleteJoin();
        } else {
            prepareRebalance("member " + memberId + " joined");
        }
        return f;
    }

    private CompletableFuture<JoinGroupResponseData> replaceStaticMember(String oldId, String newId, JoinRequest r) {
        Member old = members.remove(oldId);
        cancel(old.sessionTimer);
        if (old.awaitingJoin != null) {
            old.awaitingJoin.complete(errorJoin(oldId, Errors.FENCED_INSTANCE_ID));
        }
        if (old.awaitingSync != null) {
            old.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        }
        Member member = new Member(newId, r.groupInstanceId(), r.clientId(), r.clientHost(), r.sessionTimeoutMs(),
                r.rebalanceTimeoutMs(), r.protocols());
        member.assignment = old.assignment;
        members.add(member);
        pendingSync.remove(oldId);
        boolean wasLeader = oldId.equals(leaderId);
        if (wasLeader) {
            leaderId = newId;
        }
        log.info("Static member {} of group {} rejoins as {} (replacing {})", r.groupInstanceId(), groupId, newId, oldId);
        if (state == GroupState.STABLE && old.sameProtocols(r.protocols()) && (!wasLeader || r.leaderMaySkipAssignment())) {
            // KIP-345: a static member coming back unchanged keeps its assignment without a rebalance. The leader
            // too, from JoinGroup v9 on (KIP-814): it gets the members with skip_assignment set, so that it knows
            // the group again without computing (and handing out) a new assignment.
            scheduleSession(member);
            return CompletableFuture.completedFuture(joinResponse(member).setSkipAssignment(wasLeader));
        }
        CompletableFuture<JoinGroupResponseData> f = awaitJoin(member);
        scheduleSession(member);
        if (state == GroupState.PREPARING_REBALANCE) {
            maybeCompleteJoin();
        } else {
            prepareRebalance("static member " + r.groupInstanceId() + " rejoined");
        }
        return f;
    }

    private CompletableFuture<JoinGroupResponseData> awaitJoin(Member member) {
        if (member.awaitingJoin != null && !member.awaitingJoin.isDone()) {
            // A retried JoinGroup replaces the earlier one, which the client no longer waits for.
            member.awaitingJoin.complete(errorJoin(member.memberId, Errors.REBALANCE_IN_PROGRESS));
        }
        member.awaitingJoin = new CompletableFuture<>();
        return member.awaitingJoin;
    }

    private void prepareRebalance(String reason) {
        if (state == GroupState.COMPLETING_REBALANCE) {
            for (Member m : members.all()) {
                if (m.awaitingSync != null) {
                    m.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
                    m.awaitingSync = null;
                }
            }
            pendingSync.clear();
        }
        boolean fromEmpty = state == GroupState.EMPTY;
        state = GroupState.PREPARING_REBALANCE;
        cancel(rebalanceTimer);
        log.info("Preparing to rebalance group {} in generation {} ({})", groupId, generationId, reason);
        if (fromEmpty && initialRebalanceDelayMs > 0) {
            initialDelayDeadline = System.currentTimeMillis() + initialRebalanceDelayMs;
            rebalanceTimer = timer.newTimeout(t -> onRebalanceTimer(), initialRebalanceDelayMs, TimeUnit.MILLISECONDS);
        } else {
            initialDelayDeadline = 0;
            rebalanceTimer = timer.newTimeout(t -> onRebalanceTimer(), members.maxRebalanceTimeoutMs(), TimeUnit.MILLISECONDS);
            maybeCompleteJoin();
        }
    }

    /** During the initial delay of a new group, each new member delays the rebalance a little more. */
    private void extendInitialDelay() {
        if (initialDelayDeadline == 0) {
            return;
        }
        long now = System.currentTimeMillis();
        cancel(rebalanceTimer);
        initialDelayDeadline = now + initialRebalanceDelayMs;
        rebalanceTimer = timer.newTimeout(t -> onRebalanceTimer(), initialRebalanceDelayMs, TimeUnit.MILLISECONDS);
    }

    private synchronized void onRebalanceTimer() {
        if (state != GroupState.PREPARING_REBALANCE) {
            return;
        }
        if (initialDelayDeadline != 0) {
            initialDelayDeadline = 0;
            if (!allJoined()) {
                rebalanceTimer = timer.newTimeout(t -> onRebalanceTimer(), members.maxRebalanceTimeoutMs(), TimeUnit.MILLISECONDS);
                return;
            }
        }
        completeJoin();
    }

    private boolean allJoined() {
        if (!pendingMembers.isEmpty()) {
            return false;
        }
        for (Member m : members.all()) {
            if (m.awaitingJoin == null) {
                return false;
            }
        }
        return true;
    }

    private void maybeCompleteJoin() {
        if (state == GroupState.PREPARING_REBALANCE && initialDelayDeadline == 0 && allJoined()) {
            completeJoin();
        }
    }

    private void completeJoin() {
        cancel(rebalanceTimer);
        for (Member m : new ArrayList<>(members.all())) {
            if (m.awaitingJoin == null) {
                log.info("Member {} of group {} did not rejoin in time; removing it", m.memberId, groupId);
                removeMember(m);
            }
        }
        generationId++;
        if (members.isEmpty()) {
            state = GroupState.EMPTY;
            protocolName = null;
            leaderId = null;
            emptySinceMs = clock.getAsLong();
            log.info("Group {} is empty in generation {}", groupId, generationId);
            onEmpty.accept(emptySinceMs);
            return;
        }
        protocolName = members.selectProtocol();
        if (leaderId == null || !members.contains(leaderId)) {
            leaderId = members.first();
        }
        state = GroupState.COMPLETING_REBALANCE;
        pendingSync.clear();
        pendingSync.addAll(members.ids());
        log.info("Group {} rebalanced to generation {} with {} members, protocol {}, leader {}", groupId, generationId,
                members.size(), protocolName, leaderId);
        for (Member m : members.all()) {
            CompletableFuture<JoinGroupResponseData> f = m.awaitingJoin;
            m.awaitingJoin = null;
            scheduleSession(m);
            f.complete(joinResponse(m));
        }
        int generation = generationId;
        rebalanceTimer = timer.newTimeout(t -> onSyncTimeout(generation), members.maxRebalanceTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    private synchronized void onSyncTimeout(int generation) {
        if (state != GroupState.COMPLETING_REBALANCE || generation != generationId || pendingSync.isEmpty()) {
            return;
        }
        for (String id : new ArrayList<>(pendingSync)) {
            Member m = members.get(id);
            if (m != null) {
                log.info("Member {} of group {} did not sync in time; removing it", id, groupId);
                removeMember(m);
            }
        }
        prepareRebalance("members did not sync in time");
    }

    private JoinGroupResponseData joinResponse(Member m) {
        JoinGroupResponseData r = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(generationId)
                .setProtocolType(protocolType)
                .setProtocolName(protocolName)
                .setLeader(leaderId)
                .setMemberId(m.memberId);
        if (m.memberId.equals(leaderId)) {
            List<JoinGroupResponseMember> list = new ArrayList<>();
            for (Member other : members.all()) {
                list.add(new JoinGroupResponseMember()
                        .setMemberId(other.memberId)
                        .setGroupInstanceId(other.groupInstanceId)
                        .setMetadata(other.metadata(protocolName)));
            }
            r.setMembers(list);
        }
        return r;
    }

    private boolean acceptsProtocols(String type, Map<String, byte[]> protocols) {
        if (type == null || type.isEmpty() || protocols.isEmpty()) {
            return false;
        }
        return members.isEmpty() || (type.equals(protocolType) && members.shareAProtocolWith(protocols.keySet()));
    }

    // ---- SyncGroup ----

    synchronized CompletableFuture<SyncGroupResponseData> sync(String memberId, String instanceId, int generation,
                                                               String type, String protocol, Map<String, byte[]> assignments) {
        if (state == GroupState.DEAD) {
            return syncError(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        Member member = members.get(memberId);
        if (member == null) {
            return syncError(Errors.UNKNOWN_MEMBER_ID);
        }
        if (members.fenced(memberId, instanceId)) {
            return syncError(Errors.FENCED_INSTANCE_ID);
        }
        if (generation != generationId) {
            return syncError(Errors.ILLEGAL_GENERATION);
        }
        if ((type != null && !type.equals(protocolType)) || (protocol != null && !protocol.equals(protocolName))) {
            return syncError(Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        switch (state) {
            case PREPARING_REBALANCE -> {
                return syncError(Errors.REBALANCE_IN_PROGRESS);
            }
            case COMPLETING_REBALANCE -> {
                if (member.awaitingSync != null && !member.awaitingSync.isDone()) {
                    member.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
                }
                member.awaitingSync = new CompletableFuture<>();
                CompletableFuture<SyncGroupResponseData> f = member.awaitingSync;
                pendingSync.remove(memberId);
                scheduleSession(member);
                if (memberId.equals(leaderId)) {
                    for (Member m : members.all()) {
                        byte[] a = assignments.get(m.memberId);
                        m.assignment = a == null ? new byte[0] : a;
                    }
                    state = GroupState.STABLE;
                    cancel(rebalanceTimer);
                    pendingSync.clear();
                    log.info("Group {} is stable in generation {} with the leader's assignment", groupId, generationId);
                    for (Member m : members.all()) {
                        if (m.awaitingSync != null) {
                            m.awaitingSync.complete(syncResponse(m));
                            m.awaitingSync = null;
                        }
                    }
                }
                return f;
            }
            case STABLE -> {
                scheduleSession(member);
                return CompletableFuture.completedFuture(syncResponse(member));
            }
            default -> {
                return syncError(Errors.UNKNOWN_MEMBER_ID);
            }
        }
    }

    private SyncGroupResponseData syncResponse(Member m) {
        return new SyncGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setProtocolType(protocolType)
                .setProtocolName(protocolName)
                .setAssignment(m.assignment);
    }

    /** Whether a member may commit offsets now, as Kafka decides it; a valid commit counts as a heartbeat. */
    synchronized Errors validateCommit(String memberId, String instanceId, int generation) {
        if (state == GroupState.DEAD) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generation < 0 && state == GroupState.EMPTY) {
            return Errors.NONE;
        }
        if (state == GroupState.COMPLETING_REBALANCE) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return touchMember(memberId, instanceId, generation);
    }

    /** Checks that a member of this generation speaks, and counts it as a sign of life. */
    private Errors touchMember(String memberId, String instanceId, int generation) {
        Member member = memberId == null ? null : members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (members.fenced(memberId, instanceId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (generation != generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        scheduleSession(member);
        return Errors.NONE;
    }

    // ---- Heartbeat and LeaveGroup ----

    synchronized Errors heartbeat(String memberId, String instanceId, int generation) {
        if (state == GroupState.DEAD) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors error = touchMember(memberId, instanceId, generation);
        if (error != Errors.NONE) {
            return error;
        }
        return state == GroupState.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }

    synchronized Errors leave(String memberId, String instanceId, String reason) {
        if (state == GroupState.DEAD) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        String id = memberId;
        if (instanceId != null) {
            String current = members.holderOf(instanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (memberId != null && !memberId.isEmpty() && !memberId.equals(current)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            id = current;
        }
        if (id != null && pendingMembers.remove(id)) {
            maybeCompleteJoin();
            return Errors.NONE;
        }
        Member member = id == null ? null : members.get(id);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        log.info("Member {} leaves group {}{}", id, groupId, reason == null ? "" : " (" + reason + ")");
        removeMember(member);
        afterMemberRemoved("member " + id + " left");
        return Errors.NONE;
    }

    private void afterMemberRemoved(String reason) {
        if (state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE) {
            prepareRebalance(reason);
        } else if (state == GroupState.PREPARING_REBALANCE) {
            maybeCompleteJoin();
        }
    }

    private void removeMember(Member m) {
        members.remove(m.memberId);
        pendingSync.remove(m.memberId);
        cancel(m.sessionTimer);
        if (m.awaitingJoin != null) {
            m.awaitingJoin.complete(errorJoin(m.memberId, Errors.UNKNOWN_MEMBER_ID));
            m.awaitingJoin = null;
        }
        if (m.awaitingSync != null) {
            m.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            m.awaitingSync = null;
        }
        if (m.memberId.equals(leaderId)) {
            leaderId = members.first();
        }
    }

    private void scheduleSession(Member m) {
        cancel(m.sessionTimer);
        m.sessionTimer = timer.newTimeout(t -> expireSession(m), m.sessionTimeoutMs, TimeUnit.MILLISECONDS);
    }

    private synchronized void expireSession(Member m) {
        if (members.get(m.memberId) != m) {
            return;
        }
        if ((m.awaitingJoin != null && state == GroupState.PREPARING_REBALANCE) || m.awaitingSync != null) {
            scheduleSession(m); // waiting on the coordinator: kept alive, as in Kafka
            return;
        }
        log.info("Member {} of group {} sent no heartbeat for {} ms; removing it", m.memberId, groupId, m.sessionTimeoutMs);
        removeMember(m);
        afterMemberRemoved("member " + m.memberId + " timed out");
    }

    private synchronized void expirePending(String memberId) {
        if (pendingMembers.remove(memberId)) {
            maybeCompleteJoin();
        }
    }

    // ---- Describe ----

    synchronized DescribedGroup describe() {
        DescribedGroup g = new DescribedGroup()
                .setGroupId(groupId)
                .setErrorCode(Errors.NONE.code())
                .setGroupState(state.kafkaName())
                .setProtocolType(protocolType == null ? "" : protocolType)
                .setProtocolData(state == GroupState.STABLE && protocolName != null ? protocolName : "");
        for (Member m : members.all()) {
            boolean stable = state == GroupState.STABLE;
            g.members().add(new DescribedGroupMember()
                    .setMemberId(m.memberId)
                    .setGroupInstanceId(m.groupInstanceId)
                    .setClientId(m.clientId == null ? "" : m.clientId)
                    .setClientHost(m.clientHost)
                    .setMemberMetadata(stable ? m.metadata(protocolName) : new byte[0])
                    .setMemberAssignment(stable ? m.assignment : new byte[0]));
        }
        return g;
    }
}
