package io.korvet.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * A bare TCP connection to a broker for protocol tests: sends requests serialized by kafka-clients (or
 * any bytes at all), reads size-prefixed responses and parses them with kafka-clients, and tells whether
 * the broker closed the connection. Every read is bounded by the socket timeout.
 */
public final class RawKafkaConnection implements AutoCloseable {

    public static final int DEFAULT_TIMEOUT_MS = 5_000;
    public static final String CLIENT_ID = "raw-it";

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;

    private RawKafkaConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawKafkaConnection open(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(DEFAULT_TIMEOUT_MS);
            socket.connect(new InetSocketAddress("127.0.0.1", port), DEFAULT_TIMEOUT_MS);
            return new RawKafkaConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A parsed response and its header. */
    public record Response<T extends AbstractResponse>(ResponseHeader header, T body) {
        public int correlationId() {
            return header.correlationId();
        }
    }

    /** The local port of this connection: the broker's log lines name it. */
    public int localPort() {
        return socket.getLocalPort();
    }

    public int nextCorrelationId() {
        return nextCorrelationId++;
    }

    public void setReadTimeout(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    /** The frame a kafka-clients request makes with its header: the bytes after the length prefix. */
    public static byte[] frame(AbstractRequest request, int correlationId) {
        ByteBuffer buffer = request.serializeWithHeader(
                new RequestHeader(request.apiKey(), request.version(), CLIENT_ID, correlationId));
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** The length prefix followed by the payload. */
    public static byte[] sizePrefixed(byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    /** Sends a request with the next correlation id and returns that id. */
    public int send(AbstractRequest request) throws IOException {
        int correlationId = nextCorrelationId();
        send(request, correlationId);
        return correlationId;
    }

    public void send(AbstractRequest request, int correlationId) throws IOException {
        sendFrame(frame(request, correlationId));
    }

    /** Sends the payload behind a correct length prefix. */
    public void sendFrame(byte[] payload) throws IOException {
        sendRaw(sizePrefixed(payload));
    }

    /** Sends exactly these bytes. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one size-prefixed response frame (without its prefix). */
    public ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        if (size < 0 || size > 100 * 1024 * 1024) {
            throw new IOException("implausible response size " + size);
        }
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** Reads one response and parses it as the answer to {@code apiKey} at {@code version}. */
    public <T extends AbstractResponse> Response<T> receive(ApiKeys apiKey, short version) throws IOException {
        return receive(apiKey, version, apiKey.responseHeaderVersion(version));
    }

    @SuppressWarnings("unchecked")
    public <T extends AbstractResponse> Response<T> receive(ApiKeys apiKey, short version, short headerVersion) throws IOException {
        ByteBuffer buffer = readFrame();
        ResponseHeader header = ResponseHeader.parse(buffer, headerVersion);
        T body = (T) AbstractResponse.parseResponse(apiKey, new ByteBufferAccessor(buffer), version);
        if (buffer.hasRemaining()) {
            // A header or body of another version than expected: the sizes would not add up.
            throw new IOException(buffer.remaining() + " bytes left over after parsing a " + apiKey + " v" + version
                    + " response with header v" + headerVersion);
        }
        return new Response<>(header, body);
    }

    /** Sends a request, reads its response, and checks that the correlation ids match. */
    public <T extends AbstractResponse> T call(AbstractRequest request) throws IOException {
        int correlationId = send(request);
        Response<T> response = receive(request.apiKey(), request.version());
        if (response.correlationId() != correlationId) {
            throw new IOException("response correlation id " + response.correlationId() + ", expected " + correlationId);
        }
        return response.body();
    }

    /**
     * Whether the broker closes the connection within the read timeout: true on end of stream or a reset,
     * false if the timeout passes with the connection still open. Any bytes the broker sends first are
     * skipped (at most 1 MiB of them).
     */
    public boolean closedByBroker() {
        byte[] sink = new byte[8192];
        long skipped = 0;
        try {
            while (skipped < 1024 * 1024) {
                int n = in.read(sink);
                if (n < 0) {
                    return true;
                }
                skipped += n;
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            // "Connection reset": the broker closed with our bytes still unread.
            return true;
        }
    }

    /**
     * A request header built by hand (v1 layout: api key, version, correlation id, client id), with an
     * optional trailing tagged-field count (header v2), followed by {@code body}: for API keys or versions
     * that kafka-clients itself refuses to serialize.
     */
    public static byte[] handMadeFrame(short apiKey, short version, int correlationId, boolean flexibleHeader, byte[] body) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        byte[] clientId = CLIENT_ID.getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length + (flexibleHeader ? 1 : 0));
        header.putShort(apiKey).putShort(version).putInt(correlationId).putShort((short) clientId.length).put(clientId);
        if (flexibleHeader) {
            header.put((byte) 0);
        }
        frame.writeBytes(header.array());
        frame.writeBytes(body);
        return frame.toByteArray();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
