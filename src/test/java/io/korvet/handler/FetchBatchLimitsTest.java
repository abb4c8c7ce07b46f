package io.korvet.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.korvet.storage.StoredBatches;
import org.junit.jupiter.api.Test;

/** Which stored batches a partition's Fetch answer carries, as Kafka chooses them (KIP-74). */
class FetchBatchLimitsTest {

    /** Three batches of 100, 300 and 50 bytes: offsets 0-9, 10-39, 40-44. */
    private static final StoredBatches THREE = new StoredBatches(new byte[450], new long[] {0, 10, 40},
            new long[] {9, 39, 44}, new int[] {100, 400, 450}, 3);

    @Test
    void asManyWholeBatchesAsFit() {
        assertThat(FetchAnswers.withinLimit(THREE, 450, true).count()).isEqualTo(3);
        assertThat(FetchAnswers.withinLimit(THREE, 449, true).count()).isEqualTo(2);
        assertThat(FetchAnswers.withinLimit(THREE, 399, false).count()).isEqualTo(1);
        assertThat(FetchAnswers.withinLimit(THREE, 399, false).buffer().remaining()).isEqualTo(100);
    }

    @Test
    void theFirstBatchGoesWholeWhenItIsTheResponsesFirstData() {
        assertThat(FetchAnswers.withinLimit(THREE, 10, true).count()).isEqualTo(1);
        assertThat(FetchAnswers.withinLimit(THREE, 0, true).lastOffset(0)).isEqualTo(9);
        assertThat(FetchAnswers.withinLimit(THREE, 10, false).isEmpty()).isTrue();
    }
}
