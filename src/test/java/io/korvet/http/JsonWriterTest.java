package io.korvet.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void commasNestingAndEscapes() {
        String json = new JsonWriter().beginObject().field("a", 1).name("b").beginArray().value("x\"y\\z\n").nullValue()
                .beginObject().endObject().beginArray().endArray().endArray().field("c", true).name("d").value(2.5)
                .name("e").value(Double.NaN).field("f", (String) null).endObject().toString();
        assertThat(json).isEqualTo("{\"a\":1,\"b\":[\"x\\\"y\\\\z\\n\",null,{},[]],\"c\":true,\"d\":2.5,\"e\":null,\"f\":null}");
    }

    @Test
    void controlCharactersAreEscaped() {
        assertThat(new JsonWriter().value("\u0000\u001f\u2028").toString()).isEqualTo("\"\\u0000\\u001f\\u2028\"");
    }

    @Test
    void bytesAreTextWhenUtf8ElseBase64() {
        String json = new JsonWriter().beginObject().bytesField("k", "héllo".getBytes(StandardCharsets.UTF_8))
                .bytesField("v", new byte[] {(byte) 0xff, 0}).bytesField("n", null).endObject().toString();
        assertThat(json).isEqualTo("{\"k\":\"héllo\",\"kEncoding\":\"text\",\"v\":\"/wA=\",\"vEncoding\":\"base64\","
                + "\"n\":null,\"nEncoding\":null}");
    }

    @Test
    void wholeDoublesAreWrittenAsIntegers() {
        assertThat(new JsonWriter().beginArray().value(3.0).value(0.1234).endArray().toString()).isEqualTo("[3,0.123]");
    }
}
