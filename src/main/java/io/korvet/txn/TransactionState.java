package io.korvet.txn;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;

/**
 * What the transaction coordinator keeps per transactional id, in Redis: the producer id and epoch it handed out, the
 * producer's transaction timeout, the state, and for an open (or decided) transaction its partitions and the groups
 * whose offsets it commits, when it began and when it last changed.
 *
 * <p>Stored as one line, {@code pid|epoch|timeout|status|started|updated|topic:p,topic:p|group,group} (group ids
 * URL-encoded; topic names cannot hold {@code |}, {@code ,} or {@code :}).
 */
public record TransactionState(long producerId, short producerEpoch, int timeoutMs, TxnStatus status, long startedMs,
                               long updatedMs, Set<TopicPartition> partitions, Set<String> groups) {

    public TransactionState {
        partitions = Set.copyOf(partitions);
        groups = Set.copyOf(groups);
    }

    public TransactionState with(TxnStatus next, long now) {
        return new TransactionState(producerId, producerEpoch, timeoutMs, next, startedMs, now, partitions, groups);
    }

    /** The transaction is over: its partitions and groups are forgotten. */
    public TransactionState completed(TxnStatus next, long now) {
        return new TransactionState(producerId, producerEpoch, timeoutMs, next, -1, now, Set.of(), Set.of());
    }

    public TransactionState withEpoch(long pid, short epoch, int timeout, long now) {
        return new TransactionState(pid, epoch, timeout, status, startedMs, now, partitions, groups);
    }

    /** These partitions added to the transaction, which is open from now if it was not. */
    public TransactionState adding(Set<TopicPartition> more, Set<String> moreGroups, long now) {
        Set<TopicPartition> p = new LinkedHashSet<>(partitions);
        p.addAll(more);
        Set<String> g = new LinkedHashSet<>(groups);
        g.addAll(moreGroups);
        long started = status == TxnStatus.ONGOING ? startedMs : now;
        return new TransactionState(producerId, producerEpoch, timeoutMs, TxnStatus.ONGOING, started, now, p, g);
    }

    public String encode() {
        String parts = partitions.stream().map(tp -> tp.topic() + ":" + tp.partition()).sorted().collect(Collectors.joining(","));
        String gs = new TreeSet<>(groups).stream().map(g -> URLEncoder.encode(g, StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
        return producerId + "|" + producerEpoch + "|" + timeoutMs + "|" + status.name() + "|" + startedMs + "|" + updatedMs
                + "|" + parts + "|" + gs;
    }

    public static TransactionState decode(String text) {
        String[] f = text.split("\\|", -1);
        if (f.length != 8) {
            throw new IllegalArgumentException("malformed transaction state '" + text + "'");
        }
        Set<TopicPartition> partitions = new LinkedHashSet<>();
        if (!f[6].isEmpty()) {
            for (String p : f[6].split(",")) {
                int colon = p.lastIndexOf(':');
                partitions.add(new TopicPartition(p.substring(0, colon), Integer.parseInt(p.substring(colon + 1))));
            }
        }
        Set<String> groups = new LinkedHashSet<>();
        if (!f[7].isEmpty()) {
            for (String g : f[7].split(",")) {
                groups.add(URLDecoder.decode(g, StandardCharsets.UTF_8));
            }
        }
        return new TransactionState(Long.parseLong(f[0]), Short.parseShort(f[1]), Integer.parseInt(f[2]),
                TxnStatus.valueOf(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), partitions, groups);
    }
}
