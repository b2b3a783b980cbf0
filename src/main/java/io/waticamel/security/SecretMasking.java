package io.waticamel.security;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last line of defence for logs: masks secrets in any text, whoever wrote it (our code never
 * logs them, but a third-party DEBUG/TRACE line might: HTTP wire logs, property resolution).
 * Configured secrets (API keys, account tokens) are masked by value; tokens that arrive in requests
 * by the shapes they travel in (Authorization/Bearer, access_token fields); WhatsApp numbers in
 * WATI URLs, the opt-outs path and fields (whatsappNumber, an event's waId, number) keep only their last three digits.
 */
public final class SecretMasking {

    public static final String MASK = "******";
    private static final Set<String> VALUES = ConcurrentHashMap.newKeySet();
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=\\-]+");
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i)((?:access_token|access-token|accesstoken|x-api-key|api-key|apikey|authorization|password|secret|token|accountkey|sig)"
                    + "[\"']?\\s*(?:[=:]|\\s->\\s|\\swith value:\\s)\\s*[\"']?)(?!bearer\\s)(?!\\*{6})[^\\s\"',;}\\]&)]+");
    private static final Pattern CAMEL_PROPERTY = Pattern.compile(
            "(?i)((?:Found property|Resolved text): \\{*[\\w.\\-]*(?:key|token|password|secret|connection-string)[\\w.\\-]*\\}*"
                    + "(?: with value:| ->) )\\S+");
    /** Camel's TRACE lines of property resolution: "Property (name: wati.api-key ...) resolved from source: X -> value". */
    private static final Pattern CAMEL_PROPERTY_TRACE = Pattern.compile(
            "(?i)(name: [\\w.\\-]*(?:key|token|password|secret|connection-string)[\\w.\\-]*[^\\n>]*?->\\s*)\\S+");
    private static final Pattern NUMBER = Pattern.compile(
            "((?:sendSessionMessage|sendSessionFile|updateContactAttributes|sendTemplateMessages?|opt-outs)/"
                    + "|(?:whatsappNumber|waId|number)[\"']?\\s*[=:]\\s*[\"']?(?:\\+|%2[Bb])?)"
                    + "(\\d{4,12})(\\d{3})(?!\\d)");

    private SecretMasking() {
    }

    private static boolean mayMatch(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        for (String trigger : TRIGGERS) {
            if (lower.contains(trigger)) {
                return true;
            }
        }
        return false;
    }

    /** Registers a configured secret (at least 6 characters) to be masked wherever it appears. */
    public static void register(String secret) {
        if (secret != null && secret.strip().length() >= 6) {
            VALUES.add(secret.strip());
        }
    }

    /** Words one of the patterns needs; a line with none of them skips the regular expressions. */
    private static final String[] TRIGGERS = {"bearer", "token", "key", "authorization", "password", "secret", "sig",
        "sendsession", "updatecontact", "sendtemplate", "whatsappnumber", "waid", "number", "opt-outs"};

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = text;
        for (String value : VALUES) {
            if (masked.contains(value)) {
                masked = masked.replace(value, MASK);
            }
        }
        if (!mayMatch(masked)) {
            // most lines (our per-action line included): no regular expression work on the hot path
            return masked;
        }
        masked = BEARER.matcher(masked).replaceAll("$1" + MASK);
        masked = CAMEL_PROPERTY.matcher(masked).replaceAll("$1" + MASK);
        masked = CAMEL_PROPERTY_TRACE.matcher(masked).replaceAll("$1" + MASK);
        masked = SECRET_FIELD.matcher(masked).replaceAll("$1" + MASK);
        Matcher number = NUMBER.matcher(masked);
        return number.find() ? number.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "*".repeat(m.group(2).length()) + m.group(3))) : masked;
    }
}
