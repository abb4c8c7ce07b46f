package io.korvet.log;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the log cleaner knows of a compacted partition, kept in Redis beside its stream (so that a new leader goes on
 * where the last one stopped) and written by its leader only.
 *
 * @param segmentStart where the active segment starts: nothing from there on is cleaned (-1: not known yet)
 * @param segmentSince when that segment was started (rolled), wall-clock milliseconds
 * @param cleanedTo the first dirty offset: everything below it has been cleaned (Kafka's cleaner checkpoint)
 * @param kept the records kept below {@code cleanedTo} by the last pass, the clean part of the dirty ratio
 * @param passes the recent passes, oldest first: each cleaned up to an offset at a time, so a tombstone below that
 *               offset has been seen by the cleaner since then (what Kafka records as a batch's delete horizon)
 */
public record CleanerCheckpoint(long segmentStart, long segmentSince, long cleanedTo, long kept, List<Pass> passes) {

    /** Passes remembered; older ones are forgotten, which only keeps tombstones longer. */
    static final int MAX_PASSES = 16;

    public static final CleanerCheckpoint NONE = new CleanerCheckpoint(-1, 0, 0, 0, List.of());

    /** A cleaner pass that cleaned everything below {@code cleanedTo} at {@code at} (ms). */
    public record Pass(long cleanedTo, long at) {
    }

    /** Reads the checkpoint from its stored fields; missing fields take their initial values. */
    public static CleanerCheckpoint from(Map<String, String> fields) {
        List<Pass> passes = new ArrayList<>();
        String p = fields.getOrDefault("passes", "");
        for (String item : p.split(",")) {
            int colon = item.indexOf(':');
            if (colon > 0) {
                passes.add(new Pass(Long.parseLong(item.substring(0, colon)), Long.parseLong(item.substring(colon + 1))));
            }
        }
        return new CleanerCheckpoint(number(fields, "segment", -1), number(fields, "segment.since", 0),
                number(fields, "cleaned", 0), number(fields, "kept", 0), List.copyOf(passes));
    }

    private static long number(Map<String, String> fields, String name, long otherwise) {
        String v = fields.get(name);
        return v == null || v.isEmpty() ? otherwise : Long.parseLong(v);
    }

    /** The fields as stored. */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("segment", Long.toString(segmentStart));
        fields.put("segment.since", Long.toString(segmentSince));
        fields.put("cleaned", Long.toString(cleanedTo));
        fields.put("kept", Long.toString(kept));
        StringBuilder p = new StringBuilder();
        for (Pass pass : passes) {
            p.append(p.length() == 0 ? "" : ",").append(pass.cleanedTo).append(':').append(pass.at);
        }
        fields.put("passes", p.toString());
        return fields;
    }

    /** With the active segment started at {@code start} at {@code since}. */
    public CleanerCheckpoint rolled(long start, long since) {
        return new CleanerCheckpoint(start, since, cleanedTo, kept, passes);
    }

    /** After a pass at {@code now} that cleaned below {@code to} and kept {@code keptRecords} there. */
    public CleanerCheckpoint afterPass(long to, long keptRecords, long now) {
        List<Pass> next = new ArrayList<>(passes);
        next.add(new Pass(to, now));
        while (next.size() > MAX_PASSES) {
            next.remove(0);
        }
        return new CleanerCheckpoint(segmentStart, segmentSince, to, keptRecords, List.copyOf(next));
    }

    /**
     * Tombstones (and, later, transaction markers) below this offset may go: a pass had cleaned past them at least
     * {@code deleteRetentionMs} ago, so consumers have had that long to read them since the cleaner first saw them.
     */
    public long tombstonesRemovableBelow(long now, long deleteRetentionMs) {
        long below = 0;
        for (Pass pass : passes) {
            if (pass.at <= now - deleteRetentionMs) {
                below = Math.max(below, pass.cleanedTo);
            }
        }
        return below;
    }
}
