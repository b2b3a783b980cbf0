package io.waticamel.wati;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waticamel.action.ActionRejectedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNumbersTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "+27 82-123 4567 | 27821234567",
        "27821234567 | 27821234567",
        "0027821234567 | 27821234567",
        "(27) 82.123.4567 | 27821234567",
        "  +44 20 7946 0958  | 442079460958",
        "1234567 | 1234567",
        "123456789012345 | 123456789012345",
    })
    void normalisesWhatPeopleType(String raw, String expected) {
        assertThat(PhoneNumbers.normalise(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"123456", "1234567890123456", "0821234567", "27821234567x", "27+821234567", "../27821234567",
        "2782123%2F4567", "27821234567\n", "٢٧٨٢١٢٣٤٥٦٧", "+", "00"})
    void refusesWhatIsNotSevenToFifteenDigits(String raw) {
        assertThatThrownBy(() -> PhoneNumbers.normalise(raw)).isInstanceOf(ActionRejectedException.class)
                .hasMessageStartingWith("Invalid whatsappNumber");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void missingNumberHasTheSeedsText(String raw) {
        assertThatThrownBy(() -> PhoneNumbers.normalise(raw)).hasMessage("No whatsappNumber provided");
        assertThatThrownBy(() -> PhoneNumbers.normalise(null)).hasMessage("No whatsappNumber provided");
    }

    @ParameterizedTest
    @CsvSource({"27821234567, ********567", "123, 123"})
    void masksAllButTheLastThreeDigits(String number, String masked) {
        assertThat(PhoneNumbers.mask(number)).isEqualTo(masked);
    }
}
