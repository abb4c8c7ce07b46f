package io.korvet.storage.redis;

/**
 * The update of a partition's transaction index that an append makes in the same atomic step (txn_step in
 * common.lua): its two keys, the action ({@code B} a transactional batch, {@code C} a commit marker, {@code A} an abort
 * marker), the producer id and the offset.
 */
record TxnUpdate(byte[] txnsKey, byte[] abortedKey, byte action, long producerId, long offset) {
}
