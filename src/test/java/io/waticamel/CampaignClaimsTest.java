package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.WatiDouble;
import org.junit.jupiter.api.Test;

/**
 * An instance claims no more campaign batches than it has workers (wati.campaigns.workers): the others stay
 * pending, for another instance to take, and are not held by a queue that a crash would leave claimed until
 * the restart or the lease.
 */
class CampaignClaimsTest {

    @Test
    void anInstanceHoldsNoMoreBatchesThanItHasWorkers() throws Exception {
        try (WatiDouble wati = new WatiDouble();
                RunningRuntime runtime = new RunningRuntime(Map.of("wati.accounts.slow.endpoint", wati.url() + "/slow",
                        "wati.accounts.slow.token", "slow-token-123456", "wati.throttle.accounts.slow.per-second", "4",
                        "wati.campaigns.workers", "2", "wati.campaigns.poll-ms", "50", "wati.campaigns.single-batch-size", "1"))) {
            ObjectNode body = new ObjectMapper().createObjectNode().put("account", "slow").put("template_name", "spring_sale")
                    .put("mode", "single");
            ArrayNode recipients = body.putArray("recipients");
            for (int i = 0; i < 60; i++) {
                recipients.addObject().put("whatsappNumber", Long.toString(27880000000L + i));
            }
            RunningRuntime.Response accepted = runtime.send(HttpRequest.newBuilder(URI.create(runtime.url("/api/v1/campaigns")))
                    .header("X-API-Key", RunningRuntime.API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> wati.requests().size() >= 2);

            // 60 batches of one, sent at 4 a second by 2 workers: at any moment at most 2 of them claimed
            DataSource db = runtime.context().getRegistry().lookupByNameAndType("watiDataSource", DataSource.class);
            AtomicInteger most = new AtomicInteger();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> {
                int claimed = claimed(db);
                most.accumulateAndGet(claimed, Math::max);
                return true;
            });
            assertThat(most.get()).as("batches claimed at once by an instance with 2 workers").isLessThanOrEqualTo(2);
        }
    }

    static int claimed(DataSource db) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM campaign_batches WHERE state = 'claimed'");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
