package io.korvet.txn;

import org.apache.kafka.common.protocol.Errors;

/** The answer of a transaction coordinator operation: an error, and for InitProducerId the producer id and epoch. */
public record TxnResult(Errors error, long producerId, short producerEpoch) {

    public static TxnResult of(Errors error) {
        return new TxnResult(error, -1, (short) -1);
    }

    static final TxnResult NONE = of(Errors.NONE);
}
