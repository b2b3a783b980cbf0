package io.waticamel.campaigns;

import java.io.InputStream;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionOutcome;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.action.TaskResult;
import io.waticamel.campaigns.CampaignRequest.Mode;
import io.waticamel.campaigns.CampaignRequest.Recipient;
import io.waticamel.campaigns.CampaignStore.BatchRef;
import io.waticamel.campaigns.CampaignStore.Campaign;
import io.waticamel.campaigns.CampaignStore.Outcome;
import io.waticamel.campaigns.CampaignStore.Pending;
import io.waticamel.events.DeliveryStatus;
import io.waticamel.events.EventStore;
import io.waticamel.events.InboundEvent;
import io.waticamel.events.MessageLog;
import io.waticamel.events.OptOuts;
import io.waticamel.events.WatiEvent;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.QueryParameters;
import io.waticamel.metrics.WatiMetrics;
import io.waticamel.pipeline.Action;
import io.waticamel.pipeline.ActionApi;
import io.waticamel.pipeline.Throttled;
import io.waticamel.security.ApiKeyAuthentication;
import io.waticamel.security.RecordOwners;
import io.waticamel.security.SecretBox;
import io.waticamel.security.UndecryptableSecretException;
import io.waticamel.templates.TemplateCatalogue;
import io.waticamel.wati.WatiAccounts;
import io.waticamel.wati.WatiAnswer;
import io.waticamel.wati.WatiBulkAnswer;
import io.waticamel.wati.QuietHours;
import io.waticamel.wati.WatiCredentials;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the campaign routes (bean {@code campaigns}): the API (start, watch, pause, resume,
 * cancel), the worker (claim a due batch, hold back the recipients inside their quiet hours, send
 * the rest in bulk or one by one, record each outcome), the last check before WATI is called,
 * recovery after a crash, and the campaignFinished event. Time (send_at, quiet hours) is the
 * runtime's clock (bean watiClock).
 */
public class CampaignSteps {

    /** Exchange variable: the batch a worker is sending. */
    public static final String BATCH = "watiCampaignBatch";
    /** Exchange variable: the send about to call WATI (checked by {@link #markSending}). */
    public static final String SEND = "watiCampaignSend";
    private static final Logger LOG = LoggerFactory.getLogger(CampaignSteps.class);
    private static final int MAX_PAGE_SIZE = 1000;

    /** A batch being sent: the campaign, its credentials, its recipients not yet sent, and whether to go on. */
    public static final class Batch {
        private final BatchRef ref;
        private final Campaign campaign;
        private final WatiCredentials credentials;
        private volatile List<Pending> pending;
        private volatile QuietWindows quiet = QuietWindows.NONE;
        private volatile boolean active = true;

        Batch(BatchRef ref, Campaign campaign, WatiCredentials credentials, List<Pending> pending) {
            this.ref = ref;
            this.campaign = campaign;
            this.credentials = credentials;
            this.pending = pending;
        }

        /** False once the campaign was paused or cancelled, or WATI's turn was refused: the rest waits for a later claim. */
        public boolean isActive() {
            return active;
        }

        public boolean isBulk() {
            return campaign.mode() == Mode.BULK;
        }

        public boolean hasPending() {
            return !pending.isEmpty();
        }

        /** Whether quiet hours began for the recipient {@code seq} (null: any of the batch's) since the batch was split. */
        boolean quietAt(Integer seq, Instant now) {
            return pending.stream().filter(p -> seq == null || p.seq() == seq)
                    .anyMatch(p -> quiet.sendableAt(p.timeZone(), now).isAfter(now));
        }
    }

    /** A send about to call WATI: one recipient ({@code seq}) or the whole batch (null). */
    static final class Send {
        final Batch batch;
        final Integer seq;
        volatile boolean marked;

        Send(Batch batch, Integer seq) {
            this.batch = batch;
            this.seq = seq;
        }
    }

    private final CampaignStore store;
    private final WatiAccounts accounts;
    private final WatiRequests requests;
    private final OptOuts optOuts;
    private final MessageLog messageLog;
    private final EventStore events;
    private final SecretBox secrets;
    private final RecordOwners owners;
    private final int maxRecipients;
    private final int bulkSize;
    private final int singleBatchSize;
    private final int workers;
    private final Clock clock;
    private final TemplateCatalogue templates;
    private final WatiMetrics metrics;
    private final ObjectMapper mapper = new ObjectMapper();
    private final java.util.concurrent.atomic.AtomicBoolean recovered = new java.util.concurrent.atomic.AtomicBoolean();

    public CampaignSteps(CampaignStore store, WatiAccounts accounts, WatiRequests requests, OptOuts optOuts, TemplateCatalogue templates,
            MessageLog messageLog, EventStore events, SecretBox secrets, RecordOwners owners, int maxRecipients, int bulkSize,
            int singleBatchSize, int workers, Clock clock, WatiMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        this.templates = templates;
        this.accounts = accounts;
        this.requests = requests;
        this.optOuts = optOuts;
        this.messageLog = messageLog;
        this.events = events;
        this.secrets = secrets;
        this.owners = owners;
        this.maxRecipients = maxRecipients;
        this.bulkSize = Math.max(1, Math.min(WatiRequests.MAX_RECEIVERS, bulkSize));
        this.singleBatchSize = Math.max(1, singleBatchSize);
        this.workers = Math.max(1, workers);
        this.clock = clock;
    }

    // ---- the API ----

    /**
     * POST /api/v1/campaigns: a JSON object, or a CSV body (Content-Type text/csv) with the settings as query
     * parameters. Everything is stored before the 202; invalid and opted-out recipients are stored as skipped. With
     * {@code send_at} nothing is sent before that time (the campaign shows as scheduled).
     */
    public void start(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase(Locale.ROOT);
        CampaignRequest request;
        WatiCredentials credentials;
        CampaignSchedule schedule;
        try (InputStream body = in.getBody(InputStream.class)) {
            if (ActionApi.parsedAsForm(contentType)) {
                // the HTTP server would have parsed the JSON as a form (curl -d without a Content-Type): say what to send
                throw new ActionRejectedException("Send the campaign with Content-Type: application/json, or its recipients as text/csv",
                        415);
            }
            if (body == null) {
                throw new ActionRejectedException("Request body is empty: send the campaign as JSON, or its recipients as CSV");
            }
            if (contentType.startsWith("text/csv")) {
                // the settings are the query: a misspelt one (quiet_hour, send_ta) is refused, not dropped
                QueryParameters query = QueryParameters.of(exchange, CampaignRequest.SETTINGS.toArray(String[]::new));
                Map<String, String> settings = new LinkedHashMap<>();
                for (String name : CampaignRequest.SETTINGS) {
                    settings.put(name, query.text(name));
                }
                if (settings.get("access_token") != null) {
                    throw new ActionRejectedException("Do not put an access_token in the URL: use a named account, or send the campaign "
                            + "as JSON");
                }
                request = CampaignRequest.fromCsv(settings, body, maxRecipients);
            } else if (contentType.startsWith("application/json") || contentType.isEmpty()) {
                // a JSON campaign's settings are in its body: a query would be ignored, so it is refused
                QueryParameters.of(exchange);
                request = CampaignRequest.fromJson(body, maxRecipients);
            } else {
                throw new ActionRejectedException("Send the campaign as application/json, or its recipients as text/csv", 415);
            }
            credentials = accounts.resolve(request.settings());
            schedule = CampaignSchedule.of(request.settings(), clock.instant());
            checkTemplate(credentials, request);
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, e.httpStatus(), e.getMessage());
            return;
        }
        String caller = owners.caller(exchange);
        String id;
        int skipped;
        try {
            Map<String, String> optedOut = optOuts.optedOut(credentials);
            List<Recipient> recipients = new ArrayList<>(request.recipients().size());
            for (Recipient r : request.recipients()) {
                String reason = r.skipReason() == null ? optedOutReason(optedOut, r.number()) : null;
                recipients.add(reason == null ? r : r.skipped(reason));
            }
            request = new CampaignRequest(request.settings(), request.templateName(), request.broadcastName(), request.mode(), recipients);
            skipped = (int) recipients.stream().filter(r -> r.skipReason() != null).count();
            String token = credentials.account() == null ? credentials.token() : null;
            id = store.create(caller, credentials, token == null ? null : secrets.encrypt(token), request, schedule,
                    request.mode() == Mode.BULK ? bulkSize : singleBatchSize);
            metrics.campaignRecipients(WatiMetrics.account(credentials), "accepted", request.recipients().size());
            metrics.campaignRecipients(WatiMetrics.account(credentials), CampaignStore.SKIPPED, skipped);
        } catch (SQLException e) {
            LOG.warn("Campaign not stored: {}", e.toString());
            JsonAnswer.error(exchange, 503, "The campaign could not be stored (database unavailable): try again later");
            return;
        }
        LOG.info("Campaign {} of {} accepted: {} recipients ({} skipped), template {}, {} mode, account {}{}", id, caller,
                request.recipients().size(), skipped, request.templateName(), request.mode().label(), credentials.label(),
                schedule.sendAt() == null ? "" : ", send at " + schedule.sendAt());
        // nothing to send (every recipient skipped): finished now, with its event
        finished(id);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("total", request.recipients().size());
        answer.put("skipped", skipped);
        if (schedule.sendAt() != null) {
            answer.put("send_at", schedule.sendAt().toString());
        }
        answer.put("status_url", "/api/v1/campaigns/" + id);
        JsonAnswer.send(exchange, 202, answer);
        in.setHeader("Location", "/api/v1/campaigns/" + id);
    }

    /**
     * What WATI would refuse for every recipient, refused before anything is stored (400): a template not in the
     * account's catalogue or not approved, or recipients whose parameter names are not the template's (the first such
     * recipient named; in a CSV all share the header's names).
     */
    private void checkTemplate(WatiCredentials credentials, CampaignRequest request) {
        TemplateCatalogue.Verdict verdict = templates.verdict(credentials, request.templateName());
        if (verdict.refusal() != null) {
            throw new ActionRejectedException(verdict.refusal());
        }
        // each different set of names once (a CSV has one), named by its first recipient
        Map<List<String>, Integer> firstWith = new LinkedHashMap<>();
        for (Recipient r : request.recipients()) {
            if (r.skipReason() == null) {
                firstWith.putIfAbsent(List.copyOf(r.parameters().keySet()), r.seq());
            }
        }
        firstWith.forEach((names, seq) -> {
            String mismatch = verdict.mismatch(names);
            if (mismatch != null) {
                throw new ActionRejectedException("Recipient " + seq + ": " + mismatch);
            }
        });
    }

    /** GET /api/v1/campaigns/{id}: status, totals, rate, times; another caller's campaign is not found. */
    public void status(Exchange exchange) throws Exception {
        Map<String, Object> summary = store.summary(id(exchange), visibleCaller(exchange));
        if (summary == null) {
            notFound(exchange);
            return;
        }
        JsonAnswer.send(exchange, 200, summary);
    }

    /** GET /api/v1/campaigns?page=&size=: the caller's campaigns, newest first. */
    public void list(Exchange exchange) throws Exception {
        int[] paging;
        try {
            paging = paging(QueryParameters.of(exchange, "page", "size"));
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            return;
        }
        sendPage(exchange, paging, "campaigns", store.list(visibleCaller(exchange), paging[0], paging[1]));
    }

    /** GET /api/v1/campaigns/{id}/recipients?status=&page=&size=: recipients in order, with status and reason. */
    public void recipients(Exchange exchange) throws Exception {
        String id = id(exchange);
        if (visible(exchange, id) == null) {
            notFound(exchange);
            return;
        }
        String status;
        int[] paging;
        try {
            QueryParameters query = QueryParameters.of(exchange, "status", "page", "size");
            status = query.oneOf("status", List.of("pending", "deferred", "sent", "failed", "skipped", "unknown"));
            paging = paging(query);
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            return;
        }
        sendPage(exchange, paging, "recipients", store.recipients(id, status, paging[0], paging[1]));
    }

    private static void sendPage(Exchange exchange, int[] paging, String name, List<Map<String, Object>> rows) throws Exception {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("page", paging[0]);
        answer.put("size", paging[1]);
        answer.put(name, rows);
        JsonAnswer.send(exchange, 200, answer);
    }

    /** POST /api/v1/campaigns/{id}/pause: no new call to WATI from the next check on (each send checks just before it calls). */
    public void pause(Exchange exchange) throws Exception {
        change(exchange, List.of("running"), "paused");
    }

    public void resume(Exchange exchange) throws Exception {
        change(exchange, List.of("paused"), "running");
    }

    /** Pending recipients are skipped ("Campaign cancelled"); sends already under way end as they end. */
    public void cancel(Exchange exchange) throws Exception {
        change(exchange, List.of("running", "paused"), "cancelled");
    }

    private void change(Exchange exchange, List<String> from, String to) throws Exception {
        String id = id(exchange);
        Campaign campaign = visible(exchange, id);
        if (campaign == null) {
            notFound(exchange);
            return;
        }
        if (!store.changeStatus(id, from, to)) {
            JsonAnswer.error(exchange, 409, "The campaign is " + store.summary(id, null).get("status") + ": it cannot be made "
                    + to);
            return;
        }
        LOG.info("Campaign {} {} by {}", id, to, owners.caller(exchange));
        if (to.equals("cancelled")) {
            finishedEvent(id);
        } else if (to.equals("running")) {
            // a campaign paused after its last batch was sent has nothing left: it finishes now
            finished(id);
        }
        JsonAnswer.send(exchange, 200, store.summary(id, null));
    }

    /** The campaign when this caller may see it (its own, or any for wati.api-admins); else null. */
    private Campaign visible(Exchange exchange, String id) throws SQLException {
        Campaign campaign = store.campaign(id);
        String caller = visibleCaller(exchange);
        return campaign != null && (caller == null || caller.equals(campaign.caller())) ? campaign : null;
    }

    private String visibleCaller(Exchange exchange) {
        return owners.seesAll(exchange) ? null : owners.caller(exchange);
    }

    private static String id(Exchange exchange) {
        return exchange.getMessage().getHeader("id", String.class);
    }

    private static void notFound(Exchange exchange) throws Exception {
        JsonAnswer.error(exchange, 404, "No campaign with this id");
    }

    /** page and size (up to {@value #MAX_PAGE_SIZE}: campaigns list more recipients at a time than other lists). */
    private static int[] paging(QueryParameters query) {
        return new int[] {query.page(), query.number("size", 100, 1, MAX_PAGE_SIZE)};
    }

    // ---- the worker ----

    /** campaign-worker: up to one due batch per worker thread, claimed for this instance. */
    public List<BatchRef> claim() throws SQLException {
        return store.claim(workers);
    }

    /** The claimed batch's campaign, credentials and recipients not yet sent (variable {@value #BATCH}); the body, those recipients. */
    public void load(Exchange exchange) throws SQLException {
        BatchRef ref = exchange.getMessage().getBody(BatchRef.class);
        Campaign campaign = store.campaign(ref.campaignId());
        List<Pending> pending = store.pending(ref);
        WatiCredentials credentials;
        try {
            credentials = credentials(campaign);
        } catch (UndecryptableSecretException | ActionRejectedException e) {
            // the token cannot be read (its key is gone) or the account is no longer configured: these recipients cannot be sent
            for (Pending p : pending) {
                store.settle(ref, p.seq(), CampaignStore.FAILED, e.getMessage());
            }
            counted(campaign, CampaignStore.FAILED, pending.size());
            pending = List.of();
            credentials = null;
        }
        if (!pending.isEmpty()) {
            int before = pending.size();
            pending = withoutOptedOut(ref, credentials, pending);
            counted(campaign, CampaignStore.SKIPPED, before - pending.size());
        }
        Batch batch = new Batch(ref, campaign, credentials, pending);
        exchange.setVariable(BATCH, batch);
        exchange.getMessage().setBody(pending);
    }

    /**
     * campaign-batch, after load: the recipients inside quiet hours (the account's and the campaign's, in each
     * recipient's time zone, at this moment by the runtime's clock) are not sent now: they wait, deferred, until the
     * window ends, and the batch is claimed again then. The body and the batch keep only the recipients due now.
     */
    public void waitOutQuietHours(Exchange exchange) throws SQLException {
        Batch batch = exchange.getVariable(BATCH, Batch.class);
        if (batch.pending.isEmpty()) {
            return;
        }
        QuietWindows quiet = quietWindows(batch.campaign, batch.credentials);
        batch.quiet = quiet;
        Instant now = clock.instant();
        List<Pending> due = new ArrayList<>(batch.pending.size());
        Map<Integer, Instant> changes = new LinkedHashMap<>();
        Instant first = null;
        for (Pending p : batch.pending) {
            Instant at = quiet.sendableAt(p.timeZone(), now);
            if (at.isAfter(now)) {
                if (!at.equals(p.deferredUntil())) {
                    changes.put(p.seq(), at);
                }
                first = first == null || at.isBefore(first) ? at : first;
            } else {
                if (p.deferredUntil() != null) {
                    changes.put(p.seq(), null);
                }
                due.add(p);
            }
        }
        store.defer(batch.ref, changes);
        if (due.size() < batch.pending.size()) {
            LOG.info("Campaign {} batch {}: {} recipient(s) inside quiet hours wait, the first until {}; {} sent now", batch.ref.campaignId(),
                    batch.ref.batchNo(), batch.pending.size() - due.size(), first, due.size());
        }
        batch.pending = due;
        exchange.getMessage().setBody(due);
    }

    /**
     * The account's quiet hours (read now, from its configuration) and the campaign's own, the latter on the wall clock
     * of the campaign's time_zone, else the account's time-zone (UTC without either).
     */
    private QuietWindows quietWindows(Campaign campaign, WatiCredentials credentials) {
        QuietHours account = accounts.quietHours(credentials);
        String ownZone = campaign.timeZone() != null ? campaign.timeZone() : accounts.timeZone(credentials);
        QuietHours own = campaign.quietHours() == null ? null : QuietHours.parse(campaign.quietHours(), ownZone);
        ZoneId zone = campaign.timeZone() == null ? null : QuietHours.zone(campaign.timeZone());
        return account == null && own == null ? QuietWindows.NONE : new QuietWindows(account, own, zone);
    }

    /** A recipient who opted out since the campaign was stored is skipped now, not sent (a bulk call has no per-receiver check). */
    private List<Pending> withoutOptedOut(BatchRef ref, WatiCredentials credentials, List<Pending> pending) throws SQLException {
        Map<String, String> optedOut = optOuts.optedOut(credentials);
        if (optedOut.isEmpty()) {
            return pending;
        }
        List<Pending> kept = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            String reason = optedOutReason(optedOut, p.number());
            if (reason == null) {
                kept.add(p);
            } else {
                store.settle(ref, p.seq(), CampaignStore.SKIPPED, reason);
            }
        }
        return kept;
    }

    /** Why the number is skipped, when it is among the opted-out numbers (number to account); else null. */
    private static String optedOutReason(Map<String, String> optedOut, String number) {
        String account = optedOut.get(number);
        return account == null ? null : "Opted out of messages from account '" + account + "'";
    }

    private WatiCredentials credentials(Campaign campaign) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (campaign.account() != null) {
            fields.put("account", campaign.account());
        } else {
            fields.put("api_endpoint", campaign.endpoint());
            fields.put("access_token", campaign.tokenEncrypted() == null ? null : secrets.decrypt(campaign.tokenEncrypted()));
        }
        return accounts.resolve(new ActionFields(fields));
    }

    /** campaign-send-bulk: the batch's sendTemplateMessages call, as an action direct:wati-call sends (throttle, retries). */
    public void bulkRequest(Exchange exchange) {
        Batch batch = exchange.getVariable(BATCH, Batch.class);
        List<WatiRequests.Receiver> receivers = batch.pending.stream()
                .map(p -> new WatiRequests.Receiver(p.number(), p.parameters(), p.localMessageId())).toList();
        Campaign campaign = batch.campaign;
        var call = requests.sendTemplateMessages(batch.credentials, campaign.templateName(), campaign.broadcastName(), receivers);
        exchange.setVariable(Action.VARIABLE, Action.prepared(ActionFields.EMPTY, campaign.caller(), batch.credentials, call,
                "Successfully sent message."));
        exchange.setVariable(SEND, new Send(batch, null));
    }

    /**
     * In wati-http, after the account's throttle turn and just before WATI is called: a campaign's send goes ahead only
     * while its campaign runs and its claim holds, and its recipients are marked as being sent (a crash from here on
     * leaves them unknown, never sent twice). A retry of the same call is not checked again. Quiet hours that began
     * while the send waited for its turn stop it too: the batch is given back and its next claim defers them.
     */
    public void markSending(Exchange exchange) throws SQLException {
        Send send = exchange.getVariable(SEND, Send.class);
        if (send == null || send.marked) {
            return;
        }
        if (send.batch.quietAt(send.seq, clock.instant())) {
            send.batch.active = false;
            throw new ActionRejectedException("Campaign " + send.batch.ref.campaignId() + ": quiet hours began, not sent now", 409,
                    ActionOutcome.CAMPAIGN_HELD);
        }
        if (!store.beginSending(send.batch.ref, send.seq)) {
            send.batch.active = false;
            throw new ActionRejectedException("Campaign " + send.batch.ref.campaignId() + " is paused or cancelled: not sent", 409,
                    ActionOutcome.CAMPAIGN_HELD);
        }
        send.marked = true;
    }

    /** campaign-send-bulk: WATI's answer per receiver (refused ones failed, the others sent), and the message log. */
    public void bulkOutcome(Exchange exchange) throws SQLException {
        Send send = exchange.getVariable(SEND, Send.class);
        Batch batch = send.batch;
        WatiAnswer answer = Action.of(exchange).attached(WatiAnswer.class);
        List<String> numbers = batch.pending.stream().map(Pending::number).toList();
        WatiBulkAnswer bulk = WatiBulkAnswer.of(answer, numbers);
        List<Outcome> outcomes = new ArrayList<>();
        List<MessageLog.BulkSend> log = new ArrayList<>(batch.pending.size());
        for (Pending p : batch.pending) {
            String refused = bulk.accepted() ? bulk.refused().get(p.number()) : bulk.reason();
            if (refused != null && bulk.accepted()) {
                outcomes.add(new Outcome(p.seq(), CampaignStore.FAILED, refused));
            }
            log.add(new MessageLog.BulkSend(p.number(), p.localMessageId(), refused == null, refused == null ? "Successfully sent message." : refused));
        }
        store.outcomes(batch.ref, outcomes, bulk.accepted() ? new Outcome(0, CampaignStore.SENT, null)
                : new Outcome(0, CampaignStore.FAILED, bulk.reason()));
        counted(batch.campaign, CampaignStore.SENT, bulk.accepted() ? batch.pending.size() - outcomes.size() : 0);
        counted(batch.campaign, CampaignStore.FAILED, bulk.accepted() ? outcomes.size() : batch.pending.size());
        messageLog.recordBulk(batch.campaign.caller(), batch.credentials, batch.campaign.templateName(), 502, log);
    }

    /**
     * campaign-send-bulk, when the call ended in an error: after the retries, its recipients failed with the reason (the
     * error's text never holds the token); before WATI was called (paused, throttle refused), they wait.
     */
    public void bulkFailed(Exchange exchange) throws SQLException {
        Send send = exchange.getVariable(SEND, Send.class);
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (send == null || !send.marked) {
            if (send != null) {
                send.batch.active = false;
            }
            return;
        }
        String reason = error instanceof io.waticamel.wati.WatiRetryableException ? "WATI kept failing: " + error.getMessage()
                : "WATI could not be reached: " + (error == null ? "unknown error" : error.getMessage());
        store.outcomes(send.batch.ref, List.of(), new Outcome(0, CampaignStore.FAILED, reason));
        Batch batch = send.batch;
        counted(batch.campaign, CampaignStore.FAILED, batch.pending.size());
        messageLog.recordBulk(batch.campaign.caller(), batch.credentials, batch.campaign.templateName(), 502,
                batch.pending.stream().map(p -> new MessageLog.BulkSend(p.number(), p.localMessageId(), false, reason)).toList());
        LOG.warn("Campaign {} batch {}: {} recipients failed: {}", send.batch.ref.campaignId(), send.batch.ref.batchNo(),
                send.batch.pending.size(), reason);
    }

    /** campaign-send-single: one recipient's fields for direct:wati-action (send_template_message), sent as the campaign's caller. */
    public void singleRequest(Exchange exchange) {
        Batch batch = exchange.getVariable(BATCH, Batch.class);
        Pending p = exchange.getMessage().getBody(Pending.class);
        Campaign campaign = batch.campaign;
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("wati_action", "send_template_message");
        if (campaign.account() != null) {
            fields.put("account", campaign.account());
        } else {
            fields.put("api_endpoint", batch.credentials.endpoint().toString());
            fields.put("access_token", batch.credentials.token());
        }
        fields.put("whatsappNumber", p.number());
        fields.put("template_name", campaign.templateName());
        fields.put("broadcast_name", campaign.broadcastName());
        int n = 1;
        for (Map.Entry<String, String> parameter : p.parameters().entrySet()) {
            fields.put("parameter_name_" + n, parameter.getKey());
            fields.put("parameter_value_" + n, parameter.getValue());
            n++;
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(ApiKeyAuthentication.CALLER_HEADER, campaign.caller());
        exchange.getMessage().setBody(fields);
        exchange.setVariable(SEND, new Send(batch, p.seq()));
    }

    /**
     * campaign-send-single, after wati-action: the recipient's outcome from the action's result. Refused before WATI was
     * called: opted out since the campaign started (skipped), the account's turn refused or the campaign paused (waits
     * for a later claim), any other refusal (failed).
     */
    public void singleOutcome(Exchange exchange) throws SQLException {
        Send send = exchange.getVariable(SEND, Send.class);
        TaskResult result = exchange.getVariable(Action.RESULT_VARIABLE, TaskResult.class);
        Batch batch = send.batch;
        if (send.marked) {
            store.outcomes(batch.ref, List.of(new Outcome(send.seq, result.run() ? CampaignStore.SENT : CampaignStore.FAILED,
                    result.run() ? null : result.runText())), null);
            counted(batch.campaign, result.run() ? CampaignStore.SENT : CampaignStore.FAILED, 1);
            return;
        }
        Action action = exchange.getVariable(Action.VARIABLE, Action.class);
        if (!batch.active || action != null && action.attached(Throttled.class) != null || result.httpStatus() == 429
                || result.httpStatus() == 503) {
            // not called: the recipient stays pending, the rest of the batch waits for a later claim
            batch.active = false;
            return;
        }
        String settled = result.httpStatus() == 403 ? CampaignStore.SKIPPED : CampaignStore.FAILED;
        store.settle(batch.ref, send.seq, settled, result.runText());
        counted(batch.campaign, settled, 1);
    }

    /** Recipients settled by this instance, in the metrics: by the campaign's account name, or "request" (its own endpoint). */
    private void counted(Campaign campaign, String result, int count) {
        metrics.campaignRecipients(campaign.account() != null ? campaign.account() : WatiMetrics.REQUEST_ACCOUNT, result, count);
    }

    /** campaign-batch: the batch is given back (done, or pending for what is left); the campaign finishes when all are done. */
    public void batchEnded(Exchange exchange) throws SQLException {
        Batch batch = exchange.getVariable(BATCH, Batch.class);
        store.release(batch.ref);
        finished(batch.ref.campaignId());
    }

    /** campaign-recovery: the first run frees this instance's claims from before a restart, later runs expired claims of any. */
    public void recover() throws SQLException {
        boolean atStart = !recovered.get();
        List<String> campaigns = store.recover(atStart);
        // only once it worked: a first run that failed (database not there yet) is tried again as a start-up run
        recovered.set(true);
        if (!campaigns.isEmpty()) {
            LOG.warn("Campaign recovery: {} batch(es) of a stopped worker taken back; their sends under way are marked unknown",
                    campaigns.size());
        }
        for (String id : new java.util.LinkedHashSet<>(campaigns)) {
            finished(id);
        }
    }

    /** In wati-event: a status event of a bulk receiver (its localMessageId) settles or corrects the recipient's outcome. */
    public void fromEvent(Exchange exchange) throws SQLException {
        WatiEvent event = InboundEvent.of(exchange).event();
        DeliveryStatus status = DeliveryStatus.of(event);
        if (status == null || event.localMessageId() == null) {
            return;
        }
        String reason = status == DeliveryStatus.FAILED ? "WATI: " + (event.failedDetail() != null ? event.failedDetail()
                : "failed" + (event.failedCode() == null ? "" : " (" + event.failedCode() + ")")) : null;
        store.statusEvent(event.localMessageId(), status == DeliveryStatus.FAILED, reason);
    }

    private void finished(String id) throws SQLException {
        if (store.finishIfDone(id)) {
            finishedEvent(id);
        }
    }

    /**
     * The campaignFinished event, stored as a WATI event of the campaign's account (or "-"), so it reaches the
     * wati-event-source subscribers and the forward URL with the same retries.
     */
    private void finishedEvent(String id) throws SQLException {
        Map<String, Object> summary = store.summary(id, null);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("eventType", "campaignFinished");
        event.put("id", id);
        event.put("campaign", summary);
        String account = summary.get("account") == null ? RecordOwners.NO_CALLER : (String) summary.get("account");
        LOG.info("Campaign {} {}: {} sent, {} failed, {} skipped, {} unknown of {}", id, summary.get("status"), summary.get("sent"),
                summary.get("failed"), summary.get("skipped"), summary.get("unknown"), summary.get("total"));
        try {
            byte[] body = mapper.writeValueAsBytes(event);
            events.insert(account, WatiEvent.parse(body), body, Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
