package io.waticamel.campaigns;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.action.NumberedParameters;
import io.waticamel.wati.PhoneNumbers;
import io.waticamel.wati.QuietHours;
import io.waticamel.wati.WatiRequests;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A campaign as the caller posted it: the settings (credentials, template, mode) and every
 * recipient, each either to be sent or skipped with the reason. Read from a JSON object, or from a
 * CSV body (header {@code whatsappNumber} and the parameter names) with the settings as query
 * parameters. Whatever is wrong with the request as a whole is a 400; whatever is wrong with one
 * recipient (an unknown {@code time_zone} too) skips that recipient only, so one bad row never holds
 * up a campaign. The schedule settings ({@code send_at}, {@code quiet_hours}, {@code time_zone}) are
 * read by {@link CampaignSchedule}.
 */
public record CampaignRequest(ActionFields settings, String templateName, String broadcastName, Mode mode, List<Recipient> recipients) {

    /** {@code bulk}: sendTemplateMessages, up to 1000 receivers a call; {@code single}: one sendTemplateMessage each. */
    public enum Mode {
        BULK, SINGLE;

        static Mode of(String value) {
            if (value == null) {
                return BULK;
            }
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "bulk" -> BULK;
                case "single" -> SINGLE;
                default -> throw new ActionRejectedException("Invalid mode '" + value.strip() + "': bulk (the default) or single");
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A recipient in the caller's order; {@code timeZone} their own (for quiet hours), null when not given;
     * {@code skipReason} null when it is to be sent.
     */
    public record Recipient(int seq, String number, Map<String, String> parameters, String timeZone, String skipReason) {
        Recipient skipped(String reason) {
            return new Recipient(seq, number, parameters, timeZone, reason);
        }
    }

    /** The fields a campaign takes besides its recipients (credentials as for an action). */
    static final List<String> SETTINGS = List.of("account", "api_endpoint", "access_token", "template_name", "broadcast_name", "mode",
            "send_at", "quiet_hours", "time_zone");
    static final String NUMBER_COLUMN = "whatsappNumber";
    /** A recipient's time zone: a JSON recipient field, or a CSV column (not a template parameter). */
    static final String TIME_ZONE_COLUMN = "time_zone";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A JSON object {@code {"account", "template_name", "broadcast_name", "mode", "send_at", "recipients": [{"whatsappNumber",
     * "time_zone", "parameters": {"name": "value"}}]}}, read as a stream so a large campaign is never one tree in memory.
     */
    public static CampaignRequest fromJson(InputStream body, int maxRecipients) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        List<Recipient> recipients = null;
        try (JsonParser parser = MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new ActionRejectedException("Send the campaign as a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("recipients".equals(field)) {
                    recipients = jsonRecipients(parser, value, maxRecipients);
                } else if (SETTINGS.contains(field)) {
                    if (!value.isScalarValue()) {
                        throw new ActionRejectedException(field + " must be a string");
                    }
                    settings.put(field, parser.getValueAsString());
                } else {
                    throw new ActionRejectedException("Unknown field '" + cut(field) + "': a campaign takes " + String.join(", ", SETTINGS)
                            + " and recipients");
                }
            }
            if (parser.nextToken() != null) {
                throw new ActionRejectedException("Only one JSON object is expected");
            }
        } catch (JsonParseException e) {
            throw new ActionRejectedException("The body is not valid JSON: " + e.getOriginalMessage());
        }
        if (recipients == null) {
            throw new ActionRejectedException("No recipients provided: a JSON array of {\"whatsappNumber\", \"parameters\"}, or a CSV body");
        }
        return of(settings, recipients);
    }

    private static List<Recipient> jsonRecipients(JsonParser parser, JsonToken start, int maxRecipients) throws IOException {
        if (start != JsonToken.START_ARRAY) {
            throw new ActionRejectedException("recipients must be a JSON array of {\"whatsappNumber\", \"parameters\"}");
        }
        List<Recipient> recipients = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            int seq = recipients.size() + 1;
            if (seq > maxRecipients) {
                throw tooMany(maxRecipients);
            }
            JsonNode item = MAPPER.readTree(parser);
            if (!item.isObject()) {
                throw new ActionRejectedException("recipients[" + (seq - 1) + "] is not an object");
            }
            JsonNode number = item.get(NUMBER_COLUMN);
            String raw = number != null && number.isValueNode() ? number.asText() : null;
            JsonNode zone = item.get(TIME_ZONE_COLUMN);
            String timeZone = zone != null && zone.isValueNode() && !zone.isNull() ? zone.asText() : null;
            Map<String, String> parameters = new LinkedHashMap<>();
            String reason = null;
            JsonNode given = item.path("parameters");
            if (!given.isMissingNode() && !given.isNull() && !given.isObject()) {
                reason = "parameters must be an object of name: value";
            } else {
                for (Map.Entry<String, JsonNode> p : given.properties()) {
                    JsonNode v = p.getValue();
                    parameters.put(p.getKey(), v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString());
                }
            }
            Recipient recipient = new Recipient(seq, raw, parameters, timeZone, null);
            recipients.add(reason == null ? recipient : recipient.skipped(reason));
        }
        return recipients;
    }

    /**
     * A CSV body: the header names the columns ({@value #NUMBER_COLUMN}, optionally {@value #TIME_ZONE_COLUMN}, and the
     * parameters, in the template's order).
     */
    public static CampaignRequest fromCsv(Map<String, String> settings, InputStream body, int maxRecipients) throws IOException {
        List<Recipient> recipients = new ArrayList<>();
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreSurroundingSpaces(true)
                .setIgnoreEmptyLines(true).setAllowMissingColumnNames(false).get();
        try (Reader reader = new InputStreamReader(body, decoder); CSVParser csv = CSVParser.parse(reader, format)) {
            List<String> header = csv.getHeaderNames();
            String numberColumn = header.stream().filter(NUMBER_COLUMN::equalsIgnoreCase).findFirst()
                    .orElseThrow(() -> new ActionRejectedException("The CSV header has no " + NUMBER_COLUMN + " column"));
            String zoneColumn = header.stream().filter(TIME_ZONE_COLUMN::equalsIgnoreCase).findFirst().orElse(null);
            for (CSVRecord row : csv) {
                int seq = recipients.size() + 1;
                if (seq > maxRecipients) {
                    throw tooMany(maxRecipients);
                }
                if (!row.isConsistent()) {
                    recipients.add(new Recipient(seq, row.isSet(numberColumn) ? row.get(numberColumn) : null, Map.of(), null,
                            "Line " + row.getRecordNumber() + " has " + row.size() + " columns, the header " + header.size()));
                    continue;
                }
                Map<String, String> parameters = new LinkedHashMap<>();
                for (String column : header) {
                    if (!column.equals(numberColumn) && !column.equals(zoneColumn)) {
                        parameters.put(column, row.get(column));
                    }
                }
                recipients.add(new Recipient(seq, row.get(numberColumn), parameters, zoneColumn == null ? null : row.get(zoneColumn), null));
            }
        } catch (CharacterCodingException e) {
            throw new ActionRejectedException("The CSV is not UTF-8 text");
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new ActionRejectedException("The CSV cannot be read: " + cut(String.valueOf(e.getMessage())));
        }
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : SETTINGS) {
            if (settings.get(name) != null) {
                kept.put(name, settings.get(name));
            }
        }
        return of(kept, recipients);
    }

    private static CampaignRequest of(Map<String, String> settingsMap, List<Recipient> given) {
        ActionFields settings = new ActionFields(settingsMap);
        String template = settings.get("template_name");
        if (template == null) {
            throw new ActionRejectedException("No template_name provided");
        }
        template = template.strip();
        String broadcast = settings.get("broadcast_name") == null ? template : settings.get("broadcast_name").strip();
        if (template.length() > WatiRequests.MAX_TEMPLATE_NAME_LENGTH || broadcast.length() > WatiRequests.MAX_TEMPLATE_NAME_LENGTH) {
            throw new ActionRejectedException("template_name and broadcast_name are at most " + WatiRequests.MAX_TEMPLATE_NAME_LENGTH
                    + " characters");
        }
        Mode mode = Mode.of(settings.get("mode"));
        if (given.isEmpty()) {
            throw new ActionRejectedException("No recipients provided: the list is empty");
        }
        List<Recipient> recipients = new ArrayList<>(given.size());
        Map<String, Integer> firstSeqByNumber = new HashMap<>();
        for (Recipient r : given) {
            recipients.add(checked(r, firstSeqByNumber));
        }
        return new CampaignRequest(settings, template, broadcast, mode, recipients);
    }

    /** The number normalised and the parameters checked; a recipient with a problem is skipped with it. */
    private static Recipient checked(Recipient r, Map<String, Integer> firstSeqByNumber) {
        if (r.skipReason() != null) {
            return r;
        }
        String number;
        try {
            number = PhoneNumbers.normalise(r.number());
        } catch (ActionRejectedException e) {
            return r.skipped(e.getMessage());
        }
        Recipient normalised = new Recipient(r.seq(), number, r.parameters(), null, null);
        if (r.timeZone() != null && !r.timeZone().isBlank()) {
            try {
                normalised = new Recipient(r.seq(), number, r.parameters(), QuietHours.zone(r.timeZone()).getId(), null);
            } catch (ActionRejectedException e) {
                // kept as given, so the recipients list shows what was refused
                return new Recipient(r.seq(), number, r.parameters(), r.timeZone(), e.getMessage());
            }
        }
        if (r.parameters().size() > NumberedParameters.MAX_PAIRS) {
            return normalised.skipped("More than " + NumberedParameters.MAX_PAIRS + " parameters");
        }
        for (Map.Entry<String, String> p : r.parameters().entrySet()) {
            if (p.getKey().isBlank() || p.getKey().length() > NumberedParameters.MAX_NAME_LENGTH) {
                return normalised.skipped("A parameter name is blank or longer than " + NumberedParameters.MAX_NAME_LENGTH + " characters");
            }
            // WATI refuses a template with a blank value ("blank text"), after taking a call of the account's rate
            if (p.getValue() == null || p.getValue().isBlank()) {
                return normalised.skipped("Parameter '" + cut(p.getKey()) + "' has no value");
            }
            if (p.getValue().length() > NumberedParameters.MAX_VALUE_LENGTH) {
                return normalised.skipped("Parameter '" + cut(p.getKey()) + "' is longer than " + NumberedParameters.MAX_VALUE_LENGTH
                        + " characters");
            }
        }
        // the same number twice in one campaign would get the template twice
        Integer first = firstSeqByNumber.putIfAbsent(number, r.seq());
        if (first != null) {
            return normalised.skipped("Same number as recipient " + first);
        }
        return normalised;
    }

    private static ActionRejectedException tooMany(int maxRecipients) {
        return new ActionRejectedException("More than " + maxRecipients + " recipients: split the campaign (wati.campaigns.max-recipients)",
                413);
    }

    private static String cut(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
