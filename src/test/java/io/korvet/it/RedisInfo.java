package io.korvet.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code INFO} from a redis-server over one plain socket, for tests that watch the server's client and
 * command counters: no Lettuce, so reading the counters starts no threads and allocates no Netty buffers
 * of its own, and this connection counts as exactly one constant client.
 */
public final class RedisInfo implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RedisInfo(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RedisInfo connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(5_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return new RedisInfo(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The {@code field:value} lines of one INFO section. */
    public synchronized Map<String, String> section(String name) throws IOException {
        byte[] section = name.getBytes(StandardCharsets.US_ASCII);
        out.write(("*2\r\n$4\r\nINFO\r\n$" + section.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(section);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String header = line();
        if (!header.startsWith("$")) {
            throw new IOException("unexpected reply to INFO " + name + ": " + header);
        }
        byte[] body = in.readNBytes(Integer.parseInt(header.substring(1)));
        line();
        Map<String, String> fields = new HashMap<>();
        for (String l : new String(body, StandardCharsets.UTF_8).split("\r\n")) {
            int colon = l.indexOf(':');
            if (colon > 0 && !l.startsWith("#")) {
                fields.put(l.substring(0, colon), l.substring(colon + 1));
            }
        }
        return fields;
    }

    /** One numeric field of a section. */
    public long number(String section, String field) throws IOException {
        String value = section(section).get(field);
        if (value == null) {
            throw new IOException("INFO " + section + " has no " + field);
        }
        return Long.parseLong(value.trim());
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("Redis closed the connection");
            }
            if (c != '\r') {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
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
