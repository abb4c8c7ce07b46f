package io.korvet.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * A TCP proxy on loopback between real Kafka clients and a broker that records the requests of one API and their
 * responses, parsed as kafka-clients parses them, while passing every byte through unchanged: a recording of what a
 * real client sends. The broker must advertise the proxy's port, so that clients come back through it.
 */
final class RecordingProxy implements AutoCloseable {

    /** One recorded exchange. */
    record Exchange(RequestHeader header, AbstractRequest request, AbstractResponse response) {
    }

    private final ServerSocket server;
    private final int brokerPort;
    private final ApiKeys recorded;
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    RecordingProxy(int port, int brokerPort, ApiKeys recorded) throws IOException {
        this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        this.brokerPort = brokerPort;
        this.recorded = recorded;
        Thread acceptor = new Thread(this::accept, "recording-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The exchanges recorded so far, in the order their responses came back. */
    List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                sockets.add(client);
                sockets.add(broker);
                Map<Integer, RequestSeen> pending = new ConcurrentHashMap<>();
                start(() -> pumpRequests(client, broker, pending));
                start(() -> pumpResponses(broker, client, pending));
            } catch (IOException e) {
                return;
            }
        }
    }

    private record RequestSeen(RequestHeader header, AbstractRequest request) {
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void pumpRequests(Socket from, Socket to, Map<Integer, RequestSeen> pending) {
        try (DataInputStream in = new DataInputStream(from.getInputStream());
             DataOutputStream out = new DataOutputStream(to.getOutputStream())) {
            while (true) {
                byte[] frame = readFrame(in);
                ByteBuffer buffer = ByteBuffer.wrap(frame);
                RequestHeader header = RequestHeader.parse(buffer);
                if (header.apiKey() == recorded) {
                    AbstractRequest request = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
                            new ByteBufferAccessor(buffer)).request;
                    pending.put(header.correlationId(), new RequestSeen(header, request));
                }
                writeFrame(out, frame);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(from, to);
        }
    }

    private void pumpResponses(Socket from, Socket to, Map<Integer, RequestSeen> pending) {
        try (DataInputStream in = new DataInputStream(from.getInputStream());
             DataOutputStream out = new DataOutputStream(to.getOutputStream())) {
            while (true) {
                byte[] frame = readFrame(in);
                ByteBuffer buffer = ByteBuffer.wrap(frame);
                int correlationId = buffer.getInt(0);
                RequestSeen seen = pending.remove(correlationId);
                if (seen != null) {
                    short version = seen.header().apiVersion();
                    ResponseHeader.parse(buffer, recorded.responseHeaderVersion(version));
                    exchanges.add(new Exchange(seen.header(), seen.request(),
                            AbstractResponse.parseResponse(recorded, new ByteBufferAccessor(buffer), version)));
                }
                writeFrame(out, frame);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(from, to);
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 0 || size > 100 * 1024 * 1024) {
            throw new IOException("implausible frame size " + size);
        }
        byte[] frame = new byte[size];
        in.readFully(frame);
        return frame;
    }

    private static void writeFrame(DataOutputStream out, byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
    }

    private static void closeQuietly(Socket... sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        sockets.forEach(RecordingProxy::closeQuietly);
    }
}
