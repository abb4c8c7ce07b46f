package io.korvet.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TransactionStateTest {

    @Test
    void encodesAndDecodesEveryField() {
        TransactionState s = new TransactionState(1839717820771335L, (short) 7, 60_000, TxnStatus.PREPARE_COMMIT, 1000, 2000,
                Set.of(new TopicPartition("orders.v1", 3), new TopicPartition("a-b_c", 0)), Set.of("group|with,odd:chars", "plain"));

        TransactionState back = TransactionState.decode(s.encode());

        assertThat(back).isEqualTo(s);
    }

    @Test
    void addingOpensTheTransactionOnceAndCompletingForgetsItsPartitions() {
        TransactionState empty = new TransactionState(1, (short) 0, 1000, TxnStatus.EMPTY, -1, 0, Set.of(), Set.of());
        TransactionState open = empty.adding(Set.of(new TopicPartition("t", 0)), Set.of(), 50);
        TransactionState more = open.adding(Set.of(new TopicPartition("t", 1)), Set.of("g"), 80);

        assertThat(open.status()).isEqualTo(TxnStatus.ONGOING);
        assertThat(open.startedMs()).isEqualTo(50);
        assertThat(more.startedMs()).as("started when opened").isEqualTo(50);
        assertThat(more.partitions()).hasSize(2);
        TransactionState done = more.with(TxnStatus.PREPARE_ABORT, 90).completed(TxnStatus.COMPLETE_ABORT, 100);
        assertThat(done.partitions()).isEmpty();
        assertThat(done.groups()).isEmpty();
        assertThat(TransactionState.decode(done.encode())).isEqualTo(done);
    }
}
