package io.korvet.it.fuzz;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP proxy between real Kafka clients and the broker that keeps a copy of every request frame
 * the clients send while recording is on. The broker advertises the proxy's address
 * ({@code advertised.listeners}), so clients keep going through it after bootstrap, for group coordinators too.
 * Bytes are forwarded unchanged; responses are not looked at.
 */
public final class RecordingProxy implements AutoCloseable {

    /** One request frame as a client sent it, without its size prefix. */
    public record Captured(short apiKey, short apiVersion, byte[] frame) {
    }

    /** Frames larger than this are forwarded but not kept. */
    private static final int MAX_KEPT_FRAME = 1024 * 1024;

    private final ServerSocket server;
    private final int maxFrames;
    private final List<Captured> captured = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile int targetPort;
    private volatile boolean recording = true;
    private volatile boolean closed;

    private RecordingProxy(int maxFrames) throws IOException {
        this.maxFrames = maxFrames;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fuzz-proxy-accept");
        this.acceptor.setDaemon(true);
    }

    /** Listens on a free loopback port; {@link #forwardTo(int)} must be called before clients connect. */
    public static RecordingProxy start(int maxFrames) throws IOException {
        RecordingProxy proxy = new RecordingProxy(maxFrames);
        proxy.acceptor.start();
        return proxy;
    }

    public int port() {
        return server.getLocalPort();
    }

    public void forwardTo(int brokerPort) {
        this.targetPort = brokerPort;
    }

    /** Stops keeping frames; forwarding goes on. */
    public void stopRecording() {
        recording = false;
    }

    public List<Captured> captured() {
        synchronized (captured) {
            return List.copyOf(captured);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket broker = new Socket();
            try {
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                broker.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(broker);
                continue;
            }
            sockets.add(client);
            sockets.add(broker);
            spawn("fuzz-proxy-requests", () -> pumpRequests(client, broker));
            spawn("fuzz-proxy-responses", () -> pumpBytes(broker, client));
        }
    }

    private void spawn(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** Client to broker, frame by frame, keeping a copy of each while recording. */
    private void pumpRequests(Socket from, Socket to) {
        try (DataInputStream in = new DataInputStream(from.getInputStream())) {
            OutputStream out = to.getOutputStream();
            while (true) {
                int size;
                try {
                    size = in.readInt();
                } catch (EOFException e) {
                    break;
                }
                if (size < 0 || size > 64 * 1024 * 1024) {
                    // Not a frame a real client sends: forward the rest unchanged.
                    out.write(ByteBuffer.allocate(4).putInt(size).array());
                    in.transferTo(out);
                    break;
                }
                byte[] frame = new byte[size];
                in.readFully(frame);
                if (recording && size >= 4 && size <= MAX_KEPT_FRAME && captured.size() < maxFrames) {
                    ByteBuffer b = ByteBuffer.wrap(frame);
                    captured.add(new Captured(b.getShort(0), b.getShort(2), frame));
                }
                out.write(ByteBuffer.allocate(4 + size).putInt(size).put(frame).array());
                out.flush();
            }
        } catch (IOException e) {
            // connection gone
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void pumpBytes(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // connection gone
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing
        }
    }
}
