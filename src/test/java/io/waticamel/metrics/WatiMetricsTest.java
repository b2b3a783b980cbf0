package io.waticamel.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.waticamel.action.ActionOutcome;
import io.waticamel.wati.WatiCredentials;
import org.junit.jupiter.api.Test;

class WatiMetricsTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final WatiMetrics metrics = new WatiMetrics(registry);

    @Test
    void theAccountLabelIsTheConfiguredNameOrRequestNeverTheEndpointOrToken() {
        assertThat(WatiMetrics.account(new WatiCredentials("main", URI.create("https://live.wati.io/1"), "t0ken"))).isEqualTo("main");
        assertThat(WatiMetrics.account(new WatiCredentials(null, URI.create("https://live.wati.io/1"), "t0ken"))).isEqualTo("request");
        assertThat(WatiMetrics.account(null)).isEqualTo("none");
    }

    @Test
    void anEventTypeWatiDoesNotDocumentIsOther() {
        metrics.webhookEvent("main", "sentMessageREAD_v2", "stored");
        metrics.webhookEvent("main", "27821234567 hello", "stored");
        metrics.webhookEvent("main", null, "invalid");
        assertThat(registry.get("wati.webhook.events").tag("type", "sentMessageREAD_v2").counter().count()).isEqualTo(1);
        assertThat(registry.get("wati.webhook.events").tag("type", "other").counter().count()).isEqualTo(1);
        assertThat(registry.get("wati.webhook.events").tag("type", "none").tag("result", "invalid").counter().count()).isEqualTo(1);
    }

    @Test
    void anActionIsCountedAndTimedByActionAccountAndOutcome() {
        metrics.action("send_session_message", "main", ActionOutcome.WATI_REFUSED, Duration.ofMillis(300).toNanos());
        var tagged = registry.get("wati.actions").tags("action", "send_session_message", "account", "main", "outcome", "wati_refused");
        assertThat(tagged.counter().count()).isEqualTo(1);
        var timer = registry.get("wati.action.duration").tags("outcome", "wati_refused").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.takeSnapshot().histogramCounts()).hasSize(WatiMetrics.ACTION_BUCKETS.length);
    }

    @Test
    void databaseGaugesShowNaNWhenTheDatabaseCannotAnswer() {
        metrics.deadLettersOpen(() -> {
            throw new java.sql.SQLException("down");
        }, Duration.ZERO);
        metrics.outboxBacklog(() -> Map.of("queued", 4L), Duration.ZERO);
        assertThat(registry.get("wati.dead.letters.open").gauge().value()).isNaN();
        assertThat(registry.get("wati.outbox.backlog").tag("state", "queued").gauge().value()).isEqualTo(4);
        assertThat(registry.get("wati.outbox.backlog").tag("state", "scheduled").gauge().value()).isZero();
    }

    @Test
    void campaignCountsOfNothingMakeNoSeries() {
        metrics.campaignRecipients("main", "skipped", 0);
        assertThat(registry.find("wati.campaign.recipients").counter()).isNull();
    }
}
