package io.waticamel.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileNamesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "invoice.pdf | invoice.pdf",
        "data/images/abc-123.jpg | abc-123.jpg",
        "../../etc/passwd | passwd",
        "..\\..\\win.ini | win.ini",
        "my photo (1).JPG | my_photo_1_.JPG",
        "café.png | cafe.png",
        ".. | file",
        ".hidden | hidden",
        "a..b.pdf | a.b.pdf",
        "'' | file",
    })
    void keepsOnlySafeCharacters(String raw, String safe) {
        assertThat(FileNames.safe(raw, "file")).isEqualTo(safe);
    }

    @org.junit.jupiter.api.Test
    void longNamesKeepTheirExtension() {
        String safe = FileNames.safe("x".repeat(300) + ".pdf", "file");
        assertThat(safe).hasSize(120).endsWith(".pdf");
    }
}
