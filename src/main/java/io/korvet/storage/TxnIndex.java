package io.korvet.storage;

import java.util.List;
import java.util.Map;

/**
 * A partition's transaction index: per producer with a transaction in progress, the offset of its first record
 * (what bounds the last stable offset), and the aborted transactions (what read_committed consumers drop).
 */
public record TxnIndex(Map<Long, Long> ongoing, List<AbortedTxn> aborted) {

    public static final TxnIndex EMPTY = new TxnIndex(Map.of(), List.of());
}
