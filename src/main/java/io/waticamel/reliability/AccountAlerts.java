package io.waticamel.reliability;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.waticamel.pipeline.Action;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Alert admins after 3 failed attempts": after {@code wati.alerts.after-failures} consecutive
 * failed actions of one account, a WARN line and, when {@code wati.alerts.webhook-url} is set, a
 * JSON POST to it (delivered, with retries, by the notifications route). A success resets the count.
 */
public class AccountAlerts {

    private static final Logger LOG = LoggerFactory.getLogger(AccountAlerts.class);
    private final int afterFailures;
    private final URI webhook;
    private final Map<String, AtomicInteger> consecutive = new ConcurrentHashMap<>();
    private final Notifications notifications;

    public AccountAlerts(int afterFailures, String webhookUrl, Notifications notifications) {
        this.afterFailures = Math.max(1, afterFailures);
        this.notifications = notifications;
        this.webhook = webhookUrl == null || webhookUrl.isBlank() ? null : URI.create(webhookUrl.strip());
    }

    /** After an action: WATI refusals and unreachable WATI (502) count as failures, a success resets. */
    public void record(org.apache.camel.Exchange exchange) {
        Action action = exchange.getVariable(Action.VARIABLE, Action.class);
        io.waticamel.action.TaskResult result = action == null ? null : action.result();
        io.waticamel.wati.WatiCredentials credentials = action == null ? null : action.credentials();
        if (result != null && credentials != null && (result.run() || result.httpStatus() >= 500)) {
            outcome(credentials.label(), !result.run(), result.runText());
        }
    }

    public void outcome(String account, boolean failed, String error) {
        if (account == null) {
            return;
        }
        AtomicInteger count = consecutive.computeIfAbsent(account, a -> new AtomicInteger());
        if (!failed) {
            count.set(0);
            return;
        }
        int failures = count.incrementAndGet();
        if (failures == afterFailures) {
            LOG.warn("ALERT: {} consecutive failed actions for WATI account {}; last error: {}", failures, account, error);
            if (webhook != null) {
                post(account, failures, error);
            }
        }
    }

    private void post(String account, int failures, String error) {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("alert", "wati_account_failing");
        alert.put("account", account);
        alert.put("consecutive_failures", failures);
        alert.put("last_error", error);
        notifications.send("Alert for account " + account, webhook, alert);
    }
}
