package io.korvet.group.share;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.protocol.Errors;

/**
 * The records of one share partition (KIP-932) between its start offset (SPSO) and the first offset never acquired:
 * which are available, acquired (by which member, until when), acknowledged or archived, and how often each was
 * delivered. Pure: no clock (the caller passes the time), no I/O; each change is also recorded as a {@link Delta} to
 * persist. Not thread-safe: its owner guards it.
 */
public final class SharePartitionState {

    /** A record's state. Acknowledged and archived records are settled: never delivered again. */
    public enum State { AVAILABLE, ACQUIRED, ACKNOWLEDGED, ARCHIVED }

    /** The acknowledgement types of ShareFetch and ShareAcknowledge, by their protocol codes. */
    public static final byte GAP = 0;
    public static final byte ACCEPT = 1;
    public static final byte RELEASE = 2;
    public static final byte REJECT = 3;
    public static final byte RENEW = 4;

    /** One in-flight record. */
    static final class InFlight {
        State state;
        int deliveries;
        String member;
        long lockedUntilMs;

        InFlight(State state, int deliveries) {
            this.state = state;
            this.deliveries = deliveries;
        }
    }

    /** A run of records acquired in one go with the same delivery count, as ShareFetch's AcquiredRecords. */
    public record Acquired(long firstOffset, long lastOffset, int deliveryCount) {
    }

    /**
     * What changed since the last drain, to persist: the start offset, the records whose state to write (encoded by
     * {@link #encode}) and the offsets to forget (settled records now below the start offset).
     */
    public record Delta(long startOffset, Map<Long, String> written, List<Long> removed) {
        public boolean isEmpty() {
            return written.isEmpty() && removed.isEmpty();
        }
    }

    private long startOffset;
    private long endOffset;
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    private final Map<Long, String> written = new LinkedHashMap<>();
    private final TreeSet<Long> removed = new TreeSet<>();
    private boolean startMoved;
    /** How far past the start offset records may be acquired (Kafka's {@code group.share.partition.max.record.locks}). */
    private int maxInFlight = Integer.MAX_VALUE;

    public SharePartitionState(long startOffset) {
        this.startOffset = startOffset;
        this.endOffset = startOffset;
        this.startMoved = true;
    }

    /**
     * The state as persisted: the start offset and each in-flight record's encoded state. A record that was acquired
     * when the state was written is available again (its lock died with the broker that held it).
     */
    public static SharePartitionState restore(long startOffset, Map<Long, String> records) {
        SharePartitionState s = new SharePartitionState(startOffset);
        s.startMoved = false;
        for (Map.Entry<Long, String> e : records.entrySet()) {
            long offset = e.getKey();
            if (offset < startOffset) {
                s.removed.add(offset);
                continue;
            }
            String v = e.getValue();
            State state = switch (v.charAt(0)) {
                case 'a' -> State.ACKNOWLEDGED;
                case 'x' -> State.ARCHIVED;
                default -> State.AVAILABLE;
            };
            s.inFlight.put(offset, new InFlight(state, Integer.parseInt(v.substring(1))));
            s.endOffset = Math.max(s.endOffset, offset + 1);
        }
        // Offsets between the start and the last in-flight record that have no entry were never written: a gap.
        for (long o = startOffset; o < s.endOffset; o++) {
            s.inFlight.putIfAbsent(o, new InFlight(State.AVAILABLE, 0));
        }
        s.advanceStart();
        return s;
    }

    /** How a record's state is persisted: {@code d<count>} delivered (acquired or available), {@code a} acknowledged, {@code x} archived. */
    static String encode(InFlight r) {
        char c = switch (r.state) {
            case ACKNOWLEDGED -> 'a';
            case ARCHIVED -> 'x';
            default -> 'd';
        };
        return c + Integer.toString(r.deliveries);
    }

    public long startOffset() {
        return startOffset;
    }

    /**
     * Bounds the in-flight window: no record at or past {@code startOffset + n} is acquired, so that a record held at
     * the start does not let the state grow without end.
     */
    public void limitInFlight(int n) {
        this.maxInFlight = Math.max(1, n);
    }

    /** The first offset never acquired. */
    public long endOffset() {
        return endOffset;
    }

    /**
     * The first offset a fetch should read from: the first available in-flight record, else the first never acquired,
     * or {@link Long#MAX_VALUE} when the in-flight window is full.
     */
    public long nextFetchOffset() {
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            if (e.getValue().state == State.AVAILABLE) {
                return e.getKey();
            }
        }
        return windowFull(endOffset) ? Long.MAX_VALUE : endOffset;
    }

    private boolean windowFull(long offset) {
        return offset - startOffset >= maxInFlight;
    }

    /** Whether anything can be acquired below {@code logEndOffset}. */
    public boolean hasAvailable(long logEndOffset) {
        return nextFetchOffset() < logEndOffset;
    }

    /**
     * Acquires for {@code member} the available records among the offsets {@code [first, last]} that a read returned,
     * at most {@code maxRecords}: the in-flight ones released or unlocked, then new ones from the first offset never
     * acquired on. Each acquired record's delivery count goes up by one, and it is locked until {@code lockedUntilMs}.
     */
    public List<Acquired> acquire(String member, long first, long last, int maxRecords, long lockedUntilMs) {
        List<Acquired> out = new ArrayList<>();
        int n = 0;
        long runFirst = -1;
        long runLast = -1;
        int runCount = -1;
        for (long o = Math.max(first, startOffset); o <= last && n < maxRecords; o++) {
            InFlight r = inFlight.get(o);
            if (r == null) {
                if (o != endOffset || windowFull(o)) {
                    continue;
                }
                r = new InFlight(State.AVAILABLE, 0);
                inFlight.put(o, r);
                endOffset = o + 1;
            }
            if (r.state != State.AVAILABLE) {
                continue;
            }
            r.state = State.ACQUIRED;
            r.deliveries++;
            r.member = member;
            r.lockedUntilMs = lockedUntilMs;
            written.put(o, encode(r));
            n++;
            if (runFirst >= 0 && o == runLast + 1 && r.deliveries == runCount) {
                runLast = o;
            } else {
                if (runFirst >= 0) {
                    out.add(new Acquired(runFirst, runLast, runCount));
                }
                runFirst = o;
                runLast = o;
                runCount = r.deliveries;
            }
        }
        if (runFirst >= 0) {
            out.add(new Acquired(runFirst, runLast, runCount));
        }
        return out;
    }

    /**
     * One acknowledgement batch of {@code member}: {@code types} has one type for all of {@code [first, last]} or one
     * per offset. Every record must be acquired by the member (INVALID_RECORD_STATE otherwise, and nothing changes).
     * A release makes a record available again unless it was delivered {@code deliveryLimit} times (then archived).
     */
    public Errors acknowledge(String member, long first, long last, byte[] types, int deliveryLimit, long lockedUntilMs) {
        if (last < first || types.length != 1 && types.length != last - first + 1) {
            return Errors.INVALID_REQUEST;
        }
        for (long o = first; o <= last; o++) {
            byte type = types.length == 1 ? types[0] : types[(int) (o - first)];
            if (type < GAP || type > RENEW) {
                return Errors.INVALID_REQUEST;
            }
            InFlight r = inFlight.get(o);
            if (r == null || r.state != State.ACQUIRED || !r.member.equals(member)) {
                return Errors.INVALID_RECORD_STATE;
            }
        }
        for (long o = first; o <= last; o++) {
            byte type = types.length == 1 ? types[0] : types[(int) (o - first)];
            InFlight r = inFlight.get(o);
            switch (type) {
                case ACCEPT -> settle(o, r, State.ACKNOWLEDGED);
                case GAP, REJECT -> settle(o, r, State.ARCHIVED);
                case RELEASE -> release(o, r, deliveryLimit);
                default -> r.lockedUntilMs = lockedUntilMs;
            }
        }
        advanceStart();
        return Errors.NONE;
    }

    /** Releases every record whose lock ran out by {@code nowMs}; true when any was. */
    public boolean expireLocks(long nowMs, int deliveryLimit) {
        boolean any = false;
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            InFlight r = e.getValue();
            if (r.state == State.ACQUIRED && r.lockedUntilMs <= nowMs) {
                release(e.getKey(), r, deliveryLimit);
                any = true;
            }
        }
        if (any) {
            advanceStart();
        }
        return any;
    }

    /** Releases the records {@code member} holds (it closed its share session or left); true when it held any. */
    public boolean releaseMember(String member, int deliveryLimit) {
        boolean any = false;
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            InFlight r = e.getValue();
            if (r.state == State.ACQUIRED && member.equals(r.member)) {
                release(e.getKey(), r, deliveryLimit);
                any = true;
            }
        }
        if (any) {
            advanceStart();
        }
        return any;
    }

    /** The log's start offset moved past records: those are gone, whatever their state. */
    public void logStartMoved(long logStartOffset) {
        if (logStartOffset > startOffset) {
            moveStartTo(logStartOffset);
        }
    }

    /** Starts over at {@code offset} (AlterShareGroupOffsets, or the log truncated below the start). */
    public void reset(long offset) {
        for (Long o : inFlight.keySet()) {
            removed.add(o);
            written.remove(o);
        }
        inFlight.clear();
        startOffset = offset;
        endOffset = offset;
        startMoved = true;
    }

    /** Records in [start, end) not settled: what a lag counts beyond the records never acquired. */
    public long settledInFlight() {
        return inFlight.values().stream().filter(r -> r.state == State.ACKNOWLEDGED || r.state == State.ARCHIVED).count();
    }

    /** The state of one record (tests, describe). */
    public State stateOf(long offset) {
        if (offset < startOffset) {
            return State.ARCHIVED;
        }
        InFlight r = inFlight.get(offset);
        return r == null ? State.AVAILABLE : r.state;
    }

    /** How often a record was delivered (0 for one never acquired or below the start). */
    public int deliveriesOf(long offset) {
        InFlight r = inFlight.get(offset);
        return r == null ? 0 : r.deliveries;
    }

    /** What changed since the last call, and forgets it. */
    public Delta drain() {
        Delta d = new Delta(startOffset, new LinkedHashMap<>(written), new ArrayList<>(removed));
        written.clear();
        removed.clear();
        startMoved = false;
        return d;
    }

    /**
     * Takes back a drained change that could not be written: its records are written again at the next drain, in
     * their state by then (or forgotten, if the start moved past them), and the start offset with them. Redis then
     * catches up with this state rather than keeping what it had before the failed write.
     */
    public void redo(Delta failed) {
        startMoved = true;
        List<Long> offsets = new ArrayList<>(failed.written().keySet());
        offsets.addAll(failed.removed());
        for (long o : offsets) {
            InFlight r = inFlight.get(o);
            if (r != null) {
                written.put(o, encode(r));
                removed.remove(o);
            } else if (o < startOffset) {
                written.remove(o);
                removed.add(o);
            }
        }
    }

    /** Whether anything changed since the last drain. */
    public boolean dirty() {
        return startMoved || !written.isEmpty() || !removed.isEmpty();
    }

    private void release(long offset, InFlight r, int deliveryLimit) {
        r.member = null;
        if (r.deliveries >= deliveryLimit) {
            settle(offset, r, State.ARCHIVED);
        } else {
            r.state = State.AVAILABLE;
            written.put(offset, encode(r));
        }
    }

    private void settle(long offset, InFlight r, State state) {
        r.state = state;
        r.member = null;
        written.put(offset, encode(r));
    }

    /** Moves the start past the settled records at its head. */
    private void advanceStart() {
        long to = startOffset;
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            State s = e.getValue().state;
            if (e.getKey() != to || s != State.ACKNOWLEDGED && s != State.ARCHIVED) {
                break;
            }
            to++;
        }
        if (to > startOffset) {
            moveStartTo(to);
        }
    }

    private void moveStartTo(long to) {
        Iterator<Map.Entry<Long, InFlight>> it = inFlight.headMap(to).entrySet().iterator();
        while (it.hasNext()) {
            long o = it.next().getKey();
            it.remove();
            written.remove(o);
            removed.add(o);
        }
        startOffset = to;
        endOffset = Math.max(endOffset, to);
        startMoved = true;
    }
}
