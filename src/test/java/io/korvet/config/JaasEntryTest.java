package io.korvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JaasEntryTest {

    @Test
    void parsesKafkasSyntaxWithQuotesAndEscapes() {
        JaasEntry e = JaasEntry.parse("k", "  org.apache.kafka.common.security.plain.PlainLoginModule required\n"
                + " username=\"admin\"  password=\"a \\\"b\\\" c\" user_admin=\"x=y;z\" debug=true ; ");
        assertThat(e.loginModule()).isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule");
        assertThat(e.flag()).isEqualTo("required");
        assertThat(e.options()).containsEntry("password", "a \"b\" c").containsEntry("user_admin", "x=y;z").containsEntry("debug", "true");
        assertThat(e.plainUsers()).containsOnlyKeys("admin");
        assertThat(e.toString()).doesNotContain("x=y");
    }

    @Test
    void refusesWhatKafkaRefuses() {
        assertThatThrownBy(() -> JaasEntry.parse("k", "M always a=\"1\";")).hasMessageContaining("control flag");
        assertThatThrownBy(() -> JaasEntry.parse("k", "M required a=\"1\"")).hasMessageContaining("must end with ';'");
        assertThatThrownBy(() -> JaasEntry.parse("k", "M required a=\"1;")).hasMessageContaining("not closed");
        assertThatThrownBy(() -> JaasEntry.parse("k", "M required; N required;")).hasMessageContaining("exactly one");
    }
}
