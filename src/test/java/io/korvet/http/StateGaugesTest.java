package io.korvet.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StateGaugesTest {

    @Test
    void labelValuesAreEscapedAsPrometheusTextFormatWants() {
        assertThat(StateGauges.escaped(new StringBuilder(), "plain-group.1_x").toString()).isEqualTo("plain-group.1_x");
        assertThat(StateGauges.escaped(new StringBuilder(), "a\"b\\c\nd é").toString()).isEqualTo("a\\\"b\\\\c\\nd é");
    }
}
