package io.korvet.storage.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Transparent huge pages for the broker's own redis-server. A log store's Redis mostly allocates memory it has
 * never touched (every appended batch), and the kernel faults each 4 KiB page in on its first write: on the
 * virtual machines this project is measured on, about 11 us a page, 44 us for a 16 KiB batch, more than
 * everything else Redis does for that append. With jemalloc asked to advise huge pages ({@code thp:always}) and
 * Redis not disabling them for itself ({@code disable-thp no}, Redis 7+), one fault serves 2 MiB, and an AOF
 * rewrite's child skips its per-object {@code madvise} calls. Measured with bench/run.sh (100 B acks=all 1p and
 * 1 KiB acks=1 6p): redis-server CPU per million records 2.43 -> 1.19 s and 16.2 -> 8.4 s.
 *
 * <p>Redis's usual advice against THP is about fork copy-on-write latency for data rewritten in place; a log's
 * entries are written once. An operator's own Redis is left as it is configured. A {@code MALLOC_CONF} already in
 * the broker's environment wins.
 */
final class HugePages {

    private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.");
    private static final Map<Path, Integer> MAJOR_VERSIONS = new ConcurrentHashMap<>();

    private HugePages() {
    }

    /** Adds the settings to a redis-server command line and environment, where that redis-server supports them. */
    static void apply(Path executable, List<String> cmd, Map<String, String> environment) {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux") || majorVersion(executable) < 7) {
            return;
        }
        cmd.add("--disable-thp");
        cmd.add("no");
        // A system jemalloc reads MALLOC_CONF; the one Redis bundles (prefix je_) reads JE_MALLOC_CONF.
        environment.putIfAbsent("MALLOC_CONF", "thp:always");
        environment.putIfAbsent("JE_MALLOC_CONF", "thp:always");
    }

    static int majorVersion(Path executable) {
        return MAJOR_VERSIONS.computeIfAbsent(executable, HugePages::readMajorVersion);
    }

    /** The major version {@code redis-server --version} prints ("Redis server v=7.0.15 ..."), 0 when unknown. */
    static int parseMajorVersion(String versionLine) {
        Matcher m = VERSION.matcher(versionLine);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static int readMajorVersion(Path executable) {
        try {
            Process p = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                String out = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                p.waitFor(10, TimeUnit.SECONDS);
                return parseMajorVersion(out);
            }
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
