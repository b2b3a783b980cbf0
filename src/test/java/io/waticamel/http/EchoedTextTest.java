package io.waticamel.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EchoedTextTest {

    @Test
    void aCallersTextIsEchoedAsOneShortLine() {
        assertThat(EchoedText.cut("count")).isEqualTo("count");
        assertThat(EchoedText.cut("a\nb\r\tc\u001b[31md\u007f")).isEqualTo("a?b??c?[31md?");
        assertThat(EchoedText.cut("x".repeat(65))).isEqualTo("x".repeat(64) + "...");
        assertThat(EchoedText.cut(null)).isNull();
    }
}
