package io.waticamel.wati;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokensTest {

    @ParameterizedTest
    @ValueSource(strings = {"eyJhbGciOi.J9x-_", "Bearer eyJhbGciOi.J9x-_", "bearer   eyJhbGciOi.J9x-_",
        "BEARER eyJhbGciOi.J9x-_", "  Bearer Bearer eyJhbGciOi.J9x-_ "})
    void stripsAnyBearerPrefixOnce(String raw) {
        assertThat(AccessTokens.normalise(raw)).isEqualTo("eyJhbGciOi.J9x-_");
        assertThat(AccessTokens.authorizationHeader(AccessTokens.normalise(raw))).isEqualTo("Bearer eyJhbGciOi.J9x-_");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "Bearer", "Bearer   "})
    void missingTokenHasTheSeedsText(String raw) {
        assertThatThrownBy(() -> AccessTokens.normalise(raw)).hasMessage("No Access Token provided");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SECRET\r\nX-Evil: 1", "SECRET def", "SECRET\u0000en", "SECRETö"})
    void refusesCharactersThatCouldSplitAHeaderWithoutEchoingThem(String raw) {
        assertThatThrownBy(() -> AccessTokens.normalise(raw)).hasMessageStartingWith("Invalid access_token")
                .hasMessageNotContaining("SECRET");
    }
}
