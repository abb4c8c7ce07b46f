package io.korvet.storage.redis;

import io.korvet.StartupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock a broker holds on its data directory for as long as it runs, as Kafka locks each log
 * directory ({@code .lock}): a second broker pointed at the same directory refuses to start instead of
 * starting a second redis-server on the same append-only file. The lock is the operating system's, so it
 * goes with the process however that ends; the file keeps the holder's process id for the message.
 */
public final class DataDirLock implements AutoCloseable {

    static final String FILE_NAME = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock on {@code dir} (creating it), or fails naming the directory and the process that holds it. */
    public static DataDirLock acquire(Path dir) throws IOException, StartupException {
        Path absolute = dir.toAbsolutePath();
        Files.createDirectories(absolute);
        Path file = absolute.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another broker in this same JVM
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new StartupException("data directory " + absolute + " is in use by another Korvet broker"
                    + holder(file) + "; stop that broker or set korvet.data.dir to another directory");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        return new DataDirLock(channel, lock);
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "" : " (pid " + pid + ")";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
