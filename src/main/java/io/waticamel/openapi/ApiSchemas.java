package io.waticamel.openapi;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.AdditionalPropertiesValue;

/**
 * The request and answer bodies of the HTTP API, as named schemas of the OpenAPI document. They are
 * documentation only: the REST DSL names them ({@code type}, {@code responseModel}) because
 * camel-openapi-java makes schemas from Java types alone, while the routes read and write plain
 * maps (REST binding is off). Component names are the JSON names. A field added to an answer is
 * added here too; {@code OpenApiTest} checks the answers against these schemas.
 */
public final class ApiSchemas {

    private ApiSchemas() {
    }

    // ---- shared

    @Schema(name = "Error", description = "A refusal or failure that is not an action's outcome. The one place error answers are"
            + " described: every 4xx/5xx of the API other than the task variables of an action refers to it.")
    public record Error(
            @Schema(description = "What is wrong, and what to do about it") String error,
            @Schema(description = "The answer's HTTP status") int status,
            @Schema(description = "The answer's X-Request-Id: the caller's when sent and sane, else generated; the runtime's log lines "
                    + "about the request carry it") String request_id) {
    }

    @Schema(name = "TaskVariables", description = "An action's outcome: exactly the three task variables. The 23001 in the names is the"
            + " request's task_id (default 23001): a request with \"task_id\": \"7\" gets task_7_run, task_7_run_text, task_7_response.")
    public record TaskVariables(
            @Schema(description = "true when WATI accepted the call") boolean task_23001_run,
            @Schema(description = "What happened, for people: \"Successfully sent message.\", or the reason it was not sent")
            String task_23001_run_text,
            @Schema(description = "WATI's JSON answer (when WATI sent no JSON object: {\"status\", \"body\"}); null when WATI was not called",
                    nullable = true, additionalProperties = AdditionalPropertiesValue.TRUE) Object task_23001_response) {
    }

    // ---- actions

    @Schema(name = "ActionRequest", description = "The task fields of one action: a flat JSON object of strings, numbers and booleans."
            + " Which fields an action reads: README, \"Actions\". Numbered parameters come as parameter_name_N / parameter_value_N"
            + " (N = 1, 2, ...; at most 100 pairs) and fallback_parameter_name_N / fallback_parameter_value_N. An action of a route file"
            + " reads whatever fields it names.", additionalProperties = AdditionalPropertiesValue.TRUE)
    public record ActionRequest(
            @Schema(description = "The action: one of the runtime's five, or a route file's (direct:wati-action-<name>)",
                    example = "send_session_message", requiredMode = Schema.RequiredMode.REQUIRED) String wati_action,
            @Schema(description = "A named account from configuration (wati.accounts.<name>.*), instead of api_endpoint + access_token")
            String account,
            @Schema(description = "The dashboard's API Endpoint URL (http/https)", example = "https://live-mt-server.wati.io/123456")
            String api_endpoint,
            @Schema(description = "The account's access token, with or without \"Bearer \"", format = "password") String access_token,
            @Schema(description = "Country code and number, 7-15 digits once normalised", example = "27821234567") String whatsappNumber,
            @Schema(description = "send_session_message: up to 4096 characters", maxLength = 4096) String messageText,
            @Schema(description = "send_template_message: an approved template of the account") String template_name,
            @Schema(description = "send_template_message: defaults to the template name") String broadcast_name,
            @Schema(description = "send_session_file: the file to send; get_media: the WATI media URL", format = "uri") String file_url,
            @Schema(description = "send_session_file: the caption") String caption,
            @Schema(description = "get_media: whose blob container keeps the media (default wati.media.default-owner-id)")
            String owner_id,
            @Schema(description = "send_session_message, send_session_file: the template sent instead when the contact's 24-hour window"
                    + " is closed") String fallback_template_name,
            @Schema(description = "The fallback template's broadcast name") String fallback_broadcast_name,
            @Schema(description = "Sent then, not now: ISO-8601 with an offset; the action is stored and answered 202",
                    example = "2026-12-01T09:00:00+02:00") String send_at,
            @Schema(description = "Stored and answered 202 (as Prefer: respond-async)") Boolean async,
            @Schema(description = "Async: where the task variables are POSTed when the action is done", format = "uri") String callback_url,
            @Schema(description = "Digits; names the output variables (default 23001)", example = "23001", pattern = "[0-9]+")
            String task_id) {
    }

    @Schema(name = "ActionAccepted", description = "An action stored to be sent later (async, send_at, or quiet hours)")
    public record ActionAccepted(
            @Schema(format = "uuid") String action_id,
            @Schema(description = "scheduled while send_at is to come, else queued", allowableValues = {"scheduled", "queued"}) String state,
            @Schema(description = "When it is due (UTC); only when the request named send_at or it was deferred", format = "date-time")
            String send_at,
            @Schema(description = "Why it is sent later than asked, e.g. \"quiet hours 21:00-08:00 Africa/Johannesburg\"")
            String deferred,
            @Schema(description = "Where its state is read", example = "/api/v1/actions/6f1c...") String status_url) {
    }

    @Schema(name = "ActionStatus", description = "An async or scheduled action and, once done, its outcome")
    public record ActionStatus(
            @Schema(format = "uuid") String action_id,
            @Schema(description = "The name of the API key that posted it") String caller,
            String wati_action,
            @Schema(allowableValues = {"scheduled", "queued", "claimed", "sending", "done", "dead"}) String state,
            @Schema(format = "date-time") String send_at,
            @Schema(nullable = true) String deferred,
            @Schema(description = "The outcome's HTTP status, once done", nullable = true) Integer http_status,
            @Schema(description = "The task variables, once done (null before)") TaskVariables result,
            @Schema(format = "date-time") String created_at,
            @Schema(format = "date-time") String updated_at) {
    }

    // ---- campaigns

    @Schema(name = "CampaignRequest", description = "A template campaign. Credentials as for an action: account, or api_endpoint +"
            + " access_token. With a CSV body (text/csv) the same settings are query parameters (never access_token).")
    public record CampaignRequest(
            String account,
            String api_endpoint,
            @Schema(format = "password") String access_token,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String template_name,
            @Schema(description = "Defaults to the template name") String broadcast_name,
            @Schema(description = "bulk (the default): sendTemplateMessages, up to wati.campaigns.bulk-size receivers a call; single: one"
                    + " send_template_message action per recipient", allowableValues = {"bulk", "single"}) String mode,
            @Schema(description = "ISO-8601 with an offset: nothing is sent before", example = "2026-12-01T09:00:00+02:00") String send_at,
            @Schema(description = "The campaign's own quiet hours, HH:mm-HH:mm", example = "21:00-08:00") String quiet_hours,
            @Schema(description = "The time zone of the quiet hours for recipients without their own", example = "Africa/Johannesburg")
            String time_zone,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Up to wati.campaigns.max-recipients")
            List<CampaignRecipientRequest> recipients) {
    }

    @Schema(name = "CampaignRecipientRequest")
    public record CampaignRecipientRequest(
            @Schema(example = "27821234567", requiredMode = Schema.RequiredMode.REQUIRED) String whatsappNumber,
            @Schema(description = "The recipient's time zone for quiet hours", example = "Asia/Tokyo") String time_zone,
            @Schema(description = "The template's parameters by name") Map<String, String> parameters) {
    }

    @Schema(name = "CampaignAccepted", description = "Every recipient is stored")
    public record CampaignAccepted(
            String id,
            @Schema(description = "Recipients stored") int total,
            @Schema(description = "Of those, skipped with a reason (invalid or repeated number, opted out, ...)") int skipped,
            @Schema(description = "Only for a scheduled campaign", format = "date-time") String send_at,
            @Schema(example = "/api/v1/campaigns/...") String status_url) {
    }

    @Schema(name = "Campaign", description = "A campaign's status, totals, rate and times")
    public record Campaign(
            String id,
            String caller,
            @Schema(nullable = true) String account,
            String template_name,
            String broadcast_name,
            @Schema(allowableValues = {"bulk", "single"}) String mode,
            @Schema(allowableValues = {"scheduled", "running", "paused", "finished", "cancelled"}) String status,
            @Schema(format = "date-time", nullable = true) String send_at,
            @Schema(nullable = true) String quiet_hours,
            @Schema(nullable = true) String time_zone,
            int total,
            @Schema(format = "date-time") String created_at,
            @Schema(format = "date-time", nullable = true) String started_at,
            @Schema(format = "date-time", nullable = true) String finished_at,
            @Schema(description = "Not sent yet (being sent and deferred included)") int pending,
            int sent,
            int failed,
            int skipped,
            @Schema(description = "WATI may or may not have sent them (the runtime died mid-call): never sent again") int unknown,
            @Schema(description = "Of the pending, those waiting out quiet hours") int deferred,
            @Schema(description = "When what waits is next due, while that is to come", format = "date-time", nullable = true)
            String next_send_at,
            double rate_per_second) {
    }

    @Schema(name = "CampaignList", description = "A page of the caller's campaigns, newest first")
    public record CampaignList(int page, int size, List<CampaignListItem> campaigns) {
    }

    @Schema(name = "CampaignListItem")
    public record CampaignListItem(
            String id,
            @Schema(nullable = true) String account,
            String template_name,
            @Schema(allowableValues = {"bulk", "single"}) String mode,
            @Schema(allowableValues = {"scheduled", "running", "paused", "finished", "cancelled"}) String status,
            @Schema(format = "date-time", nullable = true) String send_at,
            int total,
            @Schema(format = "date-time") String created_at,
            @Schema(format = "date-time", nullable = true) String finished_at) {
    }

    @Schema(name = "CampaignRecipients", description = "A page of a campaign's recipients, in the request's order")
    public record CampaignRecipients(int page, int size, List<CampaignRecipient> recipients) {
    }

    @Schema(name = "CampaignRecipient")
    public record CampaignRecipient(
            @Schema(description = "1, 2, ... in the request's order") int seq,
            String whatsappNumber,
            @Schema(allowableValues = {"pending", "sent", "failed", "skipped", "unknown"}) String status,
            @Schema(nullable = true) String reason,
            Map<String, String> parameters,
            @Schema(nullable = true) String local_message_id,
            @Schema(description = "The furthest delivery status its message reached", nullable = true,
                    allowableValues = {"SENT", "FAILED", "DELIVERED", "READ", "REPLIED"}) String delivery_status,
            @Schema(nullable = true) String time_zone,
            @Schema(description = "A deferred recipient: when its quiet hours end", format = "date-time", nullable = true)
            String deferred_until,
            @Schema(format = "date-time") String updated_at) {
    }

    // ---- dead letters

    @Schema(name = "DeadLetter", description = "An action whose retries were exhausted, or that failed unexpectedly. Its token is never"
            + " shown.")
    public record DeadLetter(
            String id,
            String caller,
            String action,
            @Schema(nullable = true) String account,
            @Schema(description = "The action's task fields, without access_token", additionalProperties = AdditionalPropertiesValue.TRUE)
            Object fields,
            @Schema(description = "Whether the encrypted token was kept, so a replay can authenticate") boolean credentials_kept,
            @Schema(description = "The last failure's reason") String error,
            int http_status,
            int attempts,
            @Schema(allowableValues = {"open", "replaying", "resolved"}) String status,
            int replays,
            @Schema(format = "date-time") String created_at,
            @Schema(format = "date-time") String updated_at) {
    }

    @Schema(name = "DeadLetterList", description = "A page of dead letters, newest first")
    public record DeadLetterList(int page, int size, List<DeadLetter> dead_letters) {
    }

    @Schema(name = "DeadLetterReplay", description = "A replay's outcome (the HTTP status is the action's)")
    public record DeadLetterReplay(@Schema(description = "The letter after the replay: resolved, or open again") DeadLetter dead_letter,
            TaskVariables result) {
    }

    @Schema(name = "DeadLetterConflict", description = "Not replayed: resolved already, being replayed, or no key decrypts its token")
    public record DeadLetterConflict(
            @Schema(description = "What is wrong, and what to do about it") String error,
            @Schema(description = "409") int status,
            @Schema(description = "The answer's X-Request-Id") String request_id,
            @Schema(description = "The letter's status (resolved or replaying); absent when its token cannot be decrypted", nullable = true)
            String state,
            DeadLetter dead_letter) {
    }

    @Schema(name = "Deleted")
    public record Deleted(@Schema(description = "The id removed") String deleted) {
    }

    // ---- messages, opt-outs, events

    @Schema(name = "MessageList", description = "A page of the caller's sends, newest first")
    public record MessageList(int page, int size, List<MessageRecord> messages) {
    }

    @Schema(name = "MessageRecord", description = "One send and how far it got")
    public record MessageRecord(
            String id,
            String caller,
            @Schema(nullable = true) String account,
            String number,
            String wati_action,
            @Schema(nullable = true) String template_name,
            boolean run,
            int http_status,
            String run_text,
            @Schema(description = "The furthest status reached", allowableValues = {"SENT", "FAILED", "DELIVERED", "READ", "REPLIED"})
            String status,
            @Schema(nullable = true) String wati_id,
            @Schema(nullable = true) String whatsapp_message_id,
            @Schema(nullable = true) String local_message_id,
            @Schema(format = "date-time") String created_at,
            @Schema(format = "date-time", nullable = true) String sent_at,
            @Schema(format = "date-time", nullable = true) String delivered_at,
            @Schema(format = "date-time", nullable = true) String read_at,
            @Schema(format = "date-time", nullable = true) String replied_at,
            @Schema(format = "date-time", nullable = true) String failed_at,
            @Schema(nullable = true) String failed_code,
            @Schema(nullable = true) String failed_detail) {
    }

    @Schema(name = "OptOut", description = "Whether a number is opted out of a named account's templates")
    public record OptOut(
            String account,
            @Schema(description = "Normalised: digits only") String number,
            boolean opted_out,
            @Schema(description = "What changed it last (keyword STOP, API (key name), failed code 131050, ...); absent when never set")
            String source,
            @Schema(format = "date-time", description = "Absent when never set") String changed_at) {
    }

    @Schema(name = "EventList", description = "A page of stored WATI events, newest first")
    public record EventList(int page, int size, List<WatiEvent> events) {
    }

    @Schema(name = "WatiEvent", description = "A stored WATI webhook event")
    public record WatiEvent(
            long id,
            String account,
            String event_type,
            @Schema(nullable = true) String wati_id,
            @Schema(nullable = true) String whatsapp_message_id,
            @Schema(nullable = true) String local_message_id,
            @Schema(nullable = true) String status_string,
            @Schema(allowableValues = {"received", "processed", "failed"}) String state,
            int attempts,
            @Schema(description = "The subscribers that had it", nullable = true) String delivered_to,
            @Schema(description = "Archived media: its files record", nullable = true) String file_id,
            @Schema(nullable = true) String error,
            @Schema(format = "date-time") String received_at,
            @Schema(format = "date-time", nullable = true) String next_attempt_at,
            @Schema(format = "date-time", nullable = true) String processed_at,
            @Schema(description = "GET /v1/events/{id} only: the JSON WATI sent", additionalProperties = AdditionalPropertiesValue.TRUE)
            Object payload) {
    }

    @Schema(name = "EventRetried")
    public record EventRetried(long id, @Schema(allowableValues = "received") String state) {
    }

    // ---- files, templates

    @Schema(name = "FileRecord", description = "Media get_media stored in Azure Blob Storage")
    public record FileRecord(
            @Schema(format = "uuid") String id,
            String owner_id,
            String caller,
            @Schema(description = "The blob's URL", format = "uri") String file_url,
            String file_name,
            @Schema(description = "Bytes stored") long size,
            String contentType,
            @Schema(description = "The file name in WATI's URL", nullable = true) String source_file_name,
            @Schema(format = "date-time") String created_at) {
    }

    @Schema(name = "FileList", description = "A page of an owner's files, newest first")
    public record FileList(String owner_id, int page, int size, List<FileRecord> files) {
    }

    @Schema(name = "TemplateCatalogue", description = "A named account's templates as WATI lists them")
    public record TemplateCatalogue(
            String account,
            @Schema(format = "date-time") String loaded_at,
            int count,
            @Schema(description = "Why the last refresh failed (the list is then the last good one)", nullable = true) String last_error,
            List<TemplateSummary> templates) {
    }

    @Schema(name = "TemplateSummary")
    public record TemplateSummary(String name, String language,
            @Schema(example = "APPROVED") String status,
            @Schema(example = "UTILITY") String category,
            @Schema(description = "The parameter names, in the template's order") List<String> parameters) {
    }
}
