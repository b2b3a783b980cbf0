package io.waticamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waticamel.action.ActionRejectedException;
import org.junit.jupiter.api.Test;

class SandboxRefusalsTest {

    private final SandboxRefusals refusals = new SandboxRefusals();

    @Test
    void aRefusalIsAnsweredForItsNextCallsOnlyThenCallsSucceedAgain() {
        refusals.add("sendTemplateMessage", "rate_limited", 2);
        assertThat(refusals.take("sendSessionMessage")).isNull();
        assertThat(refusals.take("sendTemplateMessage")).isEqualTo(Refusal.RATE_LIMITED);
        assertThat(refusals.list()).singleElement().satisfies(a -> assertThat(a).containsEntry("remaining", 1));
        assertThat(refusals.take("sendTemplateMessage")).isEqualTo(Refusal.RATE_LIMITED);
        assertThat(refusals.take("sendTemplateMessage")).isNull();
        assertThat(refusals.list()).isEmpty();
    }

    @Test
    void refusalsAreTakenInTheOrderTheyWereAddedAndTimesDefaultsToOne() {
        refusals.add("*", "unavailable", null);
        refusals.add("sendSessionMessage", "ticket_expired", 1);
        assertThat(refusals.take("sendSessionMessage")).isEqualTo(Refusal.UNAVAILABLE);
        assertThat(refusals.take("sendSessionMessage")).isEqualTo(Refusal.TICKET_EXPIRED);
        assertThat(refusals.take("sendSessionMessage")).isNull();
    }

    @Test
    void anyCallLeavesTheCatalogueTheRuntimeLoadsOnItsOwn() {
        refusals.add("*", "unavailable", 1);
        assertThat(refusals.take("getMessageTemplates")).isNull();
        assertThat(refusals.take("getMedia")).isEqualTo(Refusal.UNAVAILABLE);
        refusals.add("getMessageTemplates", "unavailable", 1);
        assertThat(refusals.take("getMessageTemplates")).isEqualTo(Refusal.UNAVAILABLE);
    }

    @Test
    void aMediaDownloadIsNeverAnsweredWithJsonUnderHttp200() {
        for (String kind : new String[] {"ticket_expired", "invalid_number"}) {
            assertThatThrownBy(() -> refusals.add("getMedia", kind, 1)).isInstanceOf(ActionRejectedException.class)
                    .hasMessage(kind + " is WATI's HTTP 200 with JSON, which a media download would take as the file: getMedia can be refused "
                            + "with rate_limited, unavailable, template_not_found, unauthorized");
        }
        assertThat(refusals.list()).isEmpty();
        assertThat(refusals.add("getMedia", "unavailable", 1).refusal()).isEqualTo(Refusal.UNAVAILABLE);
        assertThat(refusals.take("getMedia")).isEqualTo(Refusal.UNAVAILABLE);
        // under *, a 200 refusal skips media calls and waits for the next other call
        refusals.add("*", "ticket_expired", 1);
        assertThat(refusals.take("getMedia")).isNull();
        assertThat(refusals.take("sendSessionMessage")).isEqualTo(Refusal.TICKET_EXPIRED);
        refusals.add("*", "invalid_number", 1);
        refusals.add("*", "rate_limited", 1);
        assertThat(refusals.take("getMedia")).isEqualTo(Refusal.RATE_LIMITED);
        assertThat(refusals.take("sendTemplateMessage")).isEqualTo(Refusal.INVALID_NUMBER);
    }

    @Test
    void wrongRequestsAreRefusedNamingWhatIsAllowed() {
        assertThatThrownBy(() -> refusals.add("sendMessage", "rate_limited", 1)).isInstanceOf(ActionRejectedException.class)
                .hasMessageContaining("call must be one of sendSessionMessage").hasMessageContaining("*");
        assertThatThrownBy(() -> refusals.add("*", "slow", 1)).hasMessageContaining("refusal must be one of ticket_expired, rate_limited");
        assertThatThrownBy(() -> refusals.add("*", "unavailable", 0)).hasMessageContaining("times must be 1 to 1000");
        assertThatThrownBy(() -> refusals.add("*", "unavailable", 1001)).hasMessageContaining("times must be 1 to 1000");
        for (int i = 0; i < SandboxRefusals.MAX_ARMED; i++) {
            refusals.add("*", "unavailable", 1);
        }
        assertThatThrownBy(() -> refusals.add("*", "unavailable", 1)).hasMessageContaining("At most 100 refusals");
        assertThat(refusals.clear()).isEqualTo(SandboxRefusals.MAX_ARMED);
        assertThat(refusals.take("getMedia")).isNull();
    }
}
