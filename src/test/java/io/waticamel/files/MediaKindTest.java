package io.waticamel.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MediaKindTest {

    @Test
    void kindsAndLimitsFollowWhatsApp() {
        assertThat(MediaKind.of("image/jpeg")).isEqualTo(MediaKind.IMAGE);
        assertThat(MediaKind.of("IMAGE/PNG; charset=x")).isEqualTo(MediaKind.IMAGE);
        assertThat(MediaKind.of("video/mp4").maxBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(MediaKind.of("audio/ogg")).isEqualTo(MediaKind.AUDIO);
        assertThat(MediaKind.of("application/pdf").maxBytes()).isEqualTo(100L * 1024 * 1024);
        assertThat(MediaKind.of("application/x-msdownload")).isNull();
        assertThat(MediaKind.IMAGE.limitText()).isEqualTo("images up to 5 MB");
        assertThat(MediaKind.STICKER.limitText()).isEqualTo("stickers up to 500 KB");
    }

    @Test
    void extensionGivesTheTypeWhenTheServerDoesNot() {
        assertThat(MediaKind.contentTypeOf("INV.PDF")).isEqualTo("application/pdf");
        assertThat(MediaKind.contentTypeOf("a.docx")).startsWith("application/vnd.openxmlformats");
        assertThat(MediaKind.contentTypeOf("noext")).isNull();
        assertThat(MediaKind.contentTypeOf("x.exe")).isNull();
    }
}
