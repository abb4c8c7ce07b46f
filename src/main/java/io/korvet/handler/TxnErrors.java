package io.korvet.handler;

import org.apache.kafka.common.protocol.Errors;

/** Errors of the transaction APIs as an older client knows them: PRODUCER_FENCED only from the version that has it. */
final class TxnErrors {

    private TxnErrors() {
    }

    /** {@code error}, with PRODUCER_FENCED answered as INVALID_PRODUCER_EPOCH below version {@code fencedSince}. */
    static Errors forVersion(Errors error, short version, int fencedSince) {
        return error == Errors.PRODUCER_FENCED && version < fencedSince ? Errors.INVALID_PRODUCER_EPOCH : error;
    }
}
