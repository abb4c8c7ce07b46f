package io.korvet.it.fuzz;

import io.korvet.codec.RequestGuard;
import io.korvet.it.fuzz.FuzzCases.Case;
import io.korvet.it.fuzz.FuzzCases.Kind;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Sends fuzz cases to the broker over a few connections in parallel and sorts what happens to each.
 *
 * <p>A case's bytes are split into frames the way the broker splits them. When they end on a frame
 * boundary, an ApiVersions request follows them on the same connection as a barrier: responses come back in
 * request order, so its answer proves that every frame before it was dealt with. A case then ends with the
 * barrier's answer, a closed connection, or the time limit. Cases whose last frame can never complete
 * (a size prefix larger than what follows) cannot be answered: the connection is closed after a short wait.
 */
public final class FuzzRunner {

    public enum Outcome {
        /** Every frame answered (an error or not), with its own correlation id. */
        RESPONSE,
        /** The broker closed the connection. */
        CLOSED,
        /** The last frame never completes; closed by the fuzzer after a short wait. */
        INCOMPLETE,
        /** An acks=0 Produce that the broker took without answering (nor closing), as the protocol says. */
        NO_RESPONSE_DUE,
        /** Still waiting at the time limit, as the protocol allows for this request (long poll, rebalance). */
        LONG_WAIT,
        /** Neither an answer nor a close within the time limit, and nothing in the protocol allows it. */
        HANG,
        /** A later request was answered but this one never was. */
        SKIPPED
    }

    /** Something to report: a case that hung, was skipped, or got an answer that cannot be read. */
    public record Finding(int index, Kind kind, String what, String note, String hex) {
        @Override
        public String toString() {
            return "case " + index + " (" + kind + note + "): " + what + "\n      " + hex;
        }
    }

    private static final int BARRIER_BASE = 0x7A000000;
    private static final int MAX_FINDINGS = 100;
    /** Requests that may wait are handed to a thread of their own when not answered within this. */
    private static final long QUICK_ANSWER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int MAX_PARKED = 256;
    private static final int ACKS_ZERO_CLOSE_WAIT_MS = 200;
    private static final int SLOWEST_KEPT = 8;

    private final int port;
    /** Before authentication the broker closes on well-formed requests too: only ApiVersions and SASL are answered. */
    private volatile boolean closingAllowed;
    private final Map<Short, short[]> advertised;
    private final int maxFrameBytes;
    private final int caseTimeoutMs;
    private final int incompleteWaitMs;
    private final Map<Kind, AtomicLongArray> outcomes = new EnumMap<>(Kind.class);
    private final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> respondedApis = new ConcurrentHashMap<>();
    private final List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder connections = new LongAdder();
    private final LongAdder unknownServerErrors = new LongAdder();
    private final java.util.TreeMap<Long, String> slowest = new java.util.TreeMap<>();

    public FuzzRunner(int port, Map<Short, short[]> advertised, int maxFrameBytes, int caseTimeoutMs, int incompleteWaitMs) {
        this.port = port;
        this.advertised = Map.copyOf(advertised);
        this.maxFrameBytes = maxFrameBytes;
        this.caseTimeoutMs = caseTimeoutMs;
        this.incompleteWaitMs = incompleteWaitMs;
        for (Kind k : Kind.values()) {
            outcomes.put(k, new AtomicLongArray(Outcome.values().length));
        }
    }

    /** Runs cases {@code first} to {@code first + count - 1} on {@code threads} connections; returns when all are done. */
    /** Cases on a listener that requires authentication: a close is the expected answer to most requests. */
    public FuzzRunner beforeAuthentication() {
        closingAllowed = true;
        return this;
    }

    public void run(FuzzCases cases, int first, int count, int threads) throws InterruptedException {
        int end = first + count;
        AtomicInteger next = new AtomicInteger(first);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService parked = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fuzz-parked");
            t.setDaemon(true);
            return t;
        });
        Semaphore parkingRoom = new Semaphore(MAX_PARKED);
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                Connection connection = null;
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < end) {
                        Case c = cases.make(i);
                        if (connection == null) {
                            connection = Connection.open(port);
                            connections.increment();
                        }
                        CaseRun run = new CaseRun(connection, c);
                        if (run.mayWait && parkingRoom.tryAcquire()) {
                            // A request the protocol lets wait (a rebalance, a long poll): if it is not answered
                            // at once, it is waited for on a thread of its own, and this worker goes on with
                            // another connection.
                            run.pump(Math.min(run.deadline, System.nanoTime() + QUICK_ANSWER_NANOS));
                            if (!run.done()) {
                                connection = null;
                                parked.execute(() -> {
                                    try {
                                        run.pump(run.deadline);
                                        run.finish();
                                        run.connection.abort();
                                    } finally {
                                        parkingRoom.release();
                                    }
                                });
                                continue;
                            }
                            parkingRoom.release();
                        } else {
                            run.pump(run.deadline);
                        }
                        if (!run.finish()) {
                            connection.abort();
                            connection = null;
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                    next.set(end); // stop everyone: the broker cannot be reached any more
                } finally {
                    if (connection != null) {
                        connection.abort();
                    }
                }
            }, "fuzz-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        parked.shutdown();
        if (!parked.awaitTermination(caseTimeoutMs + 10_000L, TimeUnit.MILLISECONDS)) {
            parked.shutdownNow();
            failures.add(new IllegalStateException("parked cases still waiting past their time limit"));
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("fuzz workers stopped: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Splits bytes into frames as the broker does; what is left after the last whole frame says how the bytes end. */
    record Framing(List<byte[]> frames, Trailing trailing) {
    }

    enum Trailing { NONE, PARTIAL, INVALID }

    Framing split(byte[] wire) {
        List<byte[]> frames = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(wire);
        while (true) {
            if (!b.hasRemaining()) {
                return new Framing(frames, Trailing.NONE);
            }
            if (b.remaining() < 4) {
                return new Framing(frames, Trailing.PARTIAL);
            }
            int size = b.getInt();
            if (size < 0 || size > maxFrameBytes) {
                return new Framing(frames, Trailing.INVALID);
            }
            if (b.remaining() < size) {
                return new Framing(frames, Trailing.PARTIAL);
            }
            byte[] frame = new byte[size];
            b.get(frame);
            frames.add(frame);
        }
    }

    /** One case on one connection: sent at creation, then read until answered, closed or out of time. */
    private final class CaseRun {
        final Connection connection;
        final Case c;
        final Framing framing;
        final List<Integer> correlations = new ArrayList<>();
        final boolean[] answered;
        final boolean useBarrier;
        final int barrier;
        final long deadline;
        final boolean mayWait;
        final long started = System.nanoTime();
        boolean closed;
        boolean barrierSeen;

        CaseRun(Connection connection, Case c) {
            this.connection = connection;
            this.c = c;
            this.framing = split(c.wire());
            for (byte[] f : framing.frames) {
                correlations.add(f.length >= 8 ? ByteBuffer.wrap(f).getInt(4) : null);
            }
            this.answered = new boolean[framing.frames.size()];
            this.useBarrier = framing.trailing == Trailing.NONE;
            int b = BARRIER_BASE + c.index();
            while (correlations.contains(b)) {
                b++;
            }
            this.barrier = b;
            boolean waits = false;
            for (byte[] f : framing.frames) {
                waits |= mayWait(f);
            }
            this.mayWait = waits && framing.trailing == Trailing.NONE;
            byte[] bytes = useBarrier ? FuzzCases.concat(c.wire(), barrierFrame(barrier)) : c.wire();
            this.closed = !connection.write(bytes);
            this.deadline = System.nanoTime() + 1_000_000L * (framing.trailing == Trailing.PARTIAL ? incompleteWaitMs : caseTimeoutMs);
        }

        boolean done() {
            return closed || barrierSeen;
        }

        /** Reads answers until the case is done or {@code untilNanos}. */
        void pump(long untilNanos) {
            while (!done()) {
                long left = (untilNanos - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return;
                }
                ByteBuffer response;
                try {
                    response = connection.read((int) left);
                } catch (SocketTimeoutException e) {
                    return;
                } catch (ImplausibleResponse e) {
                    finding(c, e.getMessage());
                    closed = true;
                    return;
                } catch (IOException e) {
                    closed = true; // end of stream or reset
                    return;
                }
                int correlation = response.getInt(0);
                if (useBarrier && correlation == barrier) {
                    barrierSeen = true;
                    return;
                }
                int which = -1;
                for (int i = 0; i < answered.length; i++) {
                    if (!answered[i] && correlations.get(i) != null && correlations.get(i) == correlation) {
                        which = i;
                        break;
                    }
                }
                if (which < 0) {
                    finding(c, "a response with correlation id " + correlation + ", which no request of the case has");
                    continue;
                }
                answered[which] = true;
                recordResponse(c, framing.frames.get(which), response);
            }
        }

        /** Records the outcome; returns whether the connection can serve the next case. */
        boolean finish() {
            noteDuration(c, System.nanoTime() - started);
            Outcome outcome;
            if (closed) {
                outcome = Outcome.CLOSED;
                for (int i = 0; i < answered.length; i++) {
                    if (!answered[i]) {
                        // Frames are dealt with in order: the first one not answered is where the broker closed.
                        String why = closingAllowed ? null : wellFormed(framing.frames.get(i));
                        if (why != null) {
                            finding(c, "the connection was closed instead of answering frame " + i + ", " + why);
                        }
                        break;
                    }
                }
            } else if (barrierSeen) {
                outcome = Outcome.RESPONSE;
                for (int i = 0; i < answered.length; i++) {
                    if (!answered[i]) {
                        if (isAcksZeroProduce(framing.frames.get(i))) {
                            // No answer is due; a failed one closes the connection, right after the answers of the
                            // requests read with it.
                            outcome = connection.closesWithin(ACKS_ZERO_CLOSE_WAIT_MS) ? Outcome.CLOSED : Outcome.NO_RESPONSE_DUE;
                        } else {
                            outcome = Outcome.SKIPPED;
                            finding(c, "frame " + i + " was never answered, but the request after it was");
                            break;
                        }
                    }
                }
            } else if (framing.trailing == Trailing.PARTIAL) {
                outcome = Outcome.INCOMPLETE;
            } else if (mayWait) {
                outcome = Outcome.LONG_WAIT;
            } else {
                outcome = Outcome.HANG;
                finding(c, "no response and no close within " + caseTimeoutMs + " ms"
                        + (framing.trailing == Trailing.INVALID ? " (after a size prefix the broker must refuse)" : ""));
            }
            outcomes.get(c.kind()).incrementAndGet(outcome.ordinal());
            return outcome == Outcome.RESPONSE;
        }
    }

    private void noteDuration(Case c, long nanos) {
        synchronized (slowest) {
            if (slowest.size() < SLOWEST_KEPT || nanos > slowest.firstKey()) {
                String api = c.apiKey() >= 0 && ApiKeys.hasId(c.apiKey()) ? ApiKeys.forId(c.apiKey()) + " v" + c.version() : "-";
                slowest.put(nanos, String.format("%,d ms: case %d (%s %s%s)", nanos / 1_000_000, c.index(), c.kind(), api,
                        c.note().isEmpty() ? "" : ": " + c.note()));
                if (slowest.size() > SLOWEST_KEPT) {
                    slowest.pollFirstEntry();
                }
            }
        }
    }

    /** The slowest cases, slowest first (waits the protocol allows included). */
    public List<String> slowest() {
        synchronized (slowest) {
            return List.copyOf(slowest.descendingMap().values());
        }
    }

    private void recordResponse(Case c, byte[] frame, ByteBuffer response) {
        short key = ByteBuffer.wrap(frame).getShort(0);
        short version = ByteBuffer.wrap(frame).getShort(2);
        if (!ApiKeys.hasId(key)) {
            finding(c, "a response to unknown API key " + key);
            return;
        }
        ApiKeys api = ApiKeys.forId(key);
        respondedApis.computeIfAbsent(api.name, k -> new LongAdder()).increment();
        short parseVersion = api == ApiKeys.API_VERSIONS && (version > api.latestVersion() || version < 0) ? 0 : version;
        try {
            ResponseHeader.parse(response, api.responseHeaderVersion(parseVersion));
            AbstractResponse body = AbstractResponse.parseResponse(api, new ByteBufferAccessor(response), parseVersion);
            if (response.hasRemaining()) {
                throw new IllegalStateException(response.remaining() + " bytes left over");
            }
            for (Map.Entry<Errors, Integer> e : body.errorCounts().entrySet()) {
                errorCodes.computeIfAbsent(e.getKey().name(), k -> new LongAdder()).add(e.getValue());
                if (e.getKey() == Errors.UNKNOWN_SERVER_ERROR) {
                    unknownServerErrors.increment();
                    finding(c, "UNKNOWN_SERVER_ERROR in the answer to " + api + " v" + version + ": " + body.data());
                }
            }
        } catch (RuntimeException e) {
            finding(c, "an answer to " + api + " v" + version + " that kafka-clients cannot read: " + e);
        }
    }

    /**
     * Why a frame deserves an answer rather than a closed connection (a request kafka-clients reads at a version
     * the broker advertises, which expects a response), or null if it does not.
     */
    private String wellFormed(byte[] frame) {
        AbstractRequest request = parse(frame); // null too for a frame the broker refuses before reading it
        if (request == null) {
            return null;
        }
        short[] range = advertised.get(request.apiKey().id);
        if (range == null || request.version() < range[0] || request.version() > range[1]) {
            return null;
        }
        if (request instanceof ProduceRequest p && p.acks() == 0) {
            return null; // a failed acks=0 produce closes the connection, as in Kafka
        }
        try {
            request.data().size(new ObjectSerializationCache(), request.version());
        } catch (RuntimeException e) {
            return null; // a string that is not UTF-8 and too long once read: its answer could not echo it
        }
        return "a well-formed " + request.apiKey() + " v" + request.version() + " request";
    }

    private static boolean isAcksZeroProduce(byte[] frame) {
        return parse(frame) instanceof ProduceRequest p && p.acks() == 0;
    }

    /** Requests the protocol lets wait: a long poll, or a group rebalance waiting for its members. */
    private boolean mayWait(byte[] frame) {
        if (frame.length < 4) {
            return false;
        }
        short key = ByteBuffer.wrap(frame).getShort(0);
        if (key != ApiKeys.FETCH.id && key != ApiKeys.JOIN_GROUP.id && key != ApiKeys.SYNC_GROUP.id) {
            return false;
        }
        AbstractRequest request = parse(frame);
        if (request instanceof FetchRequest f) {
            return f.maxWait() >= caseTimeoutMs / 4;
        }
        return request != null;
    }

    /** The request kafka-clients reads from the frame, or null (unreadable, or too slow to read: see {@link RequestGuard}). */
    static AbstractRequest parse(byte[] frame) {
        if (RequestGuard.refusal(ByteBuffer.wrap(frame)) != null) {
            return null;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(frame);
            RequestHeader header = RequestHeader.parse(b);
            return AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(b)).request;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] barrierFrame(int correlationId) {
        byte[] clientId = "fuzz-barrier".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 10 + clientId.length);
        b.putInt(10 + clientId.length).putShort(ApiKeys.API_VERSIONS.id).putShort((short) 0).putInt(correlationId)
                .putShort((short) clientId.length).put(clientId);
        return b.array();
    }

    private void finding(Case c, String what) {
        if (findings.size() < MAX_FINDINGS) {
            byte[] w = c.wire();
            String hex = HexFormat.of().formatHex(w, 0, Math.min(w.length, 160)) + (w.length > 160 ? "... (" + w.length + " bytes)" : "");
            findings.add(new Finding(c.index(), c.kind(), what, c.note().isEmpty() ? "" : ": " + c.note(), hex));
        }
    }

    // ---- results ----

    public long count(Outcome o) {
        long n = 0;
        for (AtomicLongArray a : outcomes.values()) {
            n += a.get(o.ordinal());
        }
        return n;
    }

    public long count(Kind k) {
        long n = 0;
        AtomicLongArray a = outcomes.get(k);
        for (int i = 0; i < a.length(); i++) {
            n += a.get(i);
        }
        return n;
    }

    public long count(Kind k, Outcome o) {
        return outcomes.get(k).get(o.ordinal());
    }

    public long connections() {
        return connections.sum();
    }

    public long unknownServerErrors() {
        return unknownServerErrors.sum();
    }

    public Map<String, Long> errorCodes() {
        Map<String, Long> out = new TreeMap<>();
        errorCodes.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public Map<String, Long> respondedApis() {
        Map<String, Long> out = new TreeMap<>();
        respondedApis.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public List<Finding> findings() {
        synchronized (findings) {
            return List.copyOf(findings);
        }
    }

    /** A response size no broker sends. */
    static final class ImplausibleResponse extends IOException {
        ImplausibleResponse(String message) {
            super(message);
        }
    }

    /** One TCP connection with bounded reads; closed with a reset so that thousands of them leave no TIME_WAIT behind. */
    static final class Connection {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        static Connection open(int port) throws IOException {
            IOException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                Socket s = new Socket();
                try {
                    s.setTcpNoDelay(true);
                    s.setSoLinger(true, 0);
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                    return new Connection(s);
                } catch (IOException e) {
                    s.close();
                    last = e;
                    try {
                        Thread.sleep(100L << attempt);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
            throw last;
        }

        /** Writes everything; false if the broker closed the connection first. */
        boolean write(byte[] bytes) {
            try {
                out.write(bytes);
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        ByteBuffer read(int timeoutMs) throws IOException {
            socket.setSoTimeout(Math.max(1, timeoutMs));
            int size = in.readInt();
            if (size < 4 || size > 256 * 1024 * 1024) {
                throw new ImplausibleResponse("a response size of " + size + " bytes");
            }
            byte[] bytes = new byte[size];
            in.readFully(bytes);
            return ByteBuffer.wrap(bytes);
        }

        /** Whether the broker closes the connection within the time (anything it sends first is skipped). */
        boolean closesWithin(int millis) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            try {
                while (true) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        return false;
                    }
                    socket.setSoTimeout((int) left);
                    if (in.read() < 0) {
                        return true;
                    }
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        void abort() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
