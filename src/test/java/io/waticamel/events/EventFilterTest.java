package io.waticamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventFilterTest {

    final EventFilter filter = new EventFilter();

    @Test
    void typesAndAccountSelectStarTakesAll() {
        assertThat(filter.matches("message", "main", "*", "*")).isTrue();
        assertThat(filter.matches("message", "main", "message, sentMessageREAD_v2", "main")).isTrue();
        assertThat(filter.matches("sentMessageREAD_v2", "main", "message,sentMessageREAD_v2", "*")).isTrue();
        assertThat(filter.matches("sentMessageREAD", "main", "message,sentMessageREAD_v2", "*")).isFalse();
        assertThat(filter.matches("message", "other", "*", "main")).isFalse();
        assertThat(filter.matches("message", "Main", "*", "main")).isTrue();
        assertThat(filter.matches(null, "main", "message", "*")).isFalse();
        assertThat(filter.matches(null, "main", "", "")).isTrue();
    }
}
