package io.waticamel.wati;

import io.waticamel.action.ActionRejectedException;

/** WhatsApp numbers as WATI wants them: country code and subscriber number, digits only. */
public final class PhoneNumbers {

    private PhoneNumbers() {
    }

    /**
     * Removes what people really type ({@code +}, spaces, dashes, dots, parentheses, a leading
     * {@code 00}) and checks E.164 bounds. Never guesses a country code: a national number that
     * happens to be 7-15 digits passes as given, anything else is refused.
     */
    public static String normalise(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new ActionRejectedException("No whatsappNumber provided");
        }
        StringBuilder digits = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c == '+' && digits.length() == 0 && raw.substring(0, i).isBlank()) {
                // one leading plus only
            } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\u00a0') {
                // separators people type
            } else {
                throw invalid();
            }
        }
        String number = digits.toString();
        if (number.startsWith("00")) {
            number = number.substring(2);
        }
        if (number.length() < 7 || number.length() > 15 || number.startsWith("0")) {
            throw invalid();
        }
        return number;
    }

    /** For logs: everything but the last three digits hidden. */
    public static String mask(String number) {
        if (number == null) {
            return "";
        }
        int keep = Math.min(3, number.length());
        return "*".repeat(number.length() - keep) + number.substring(number.length() - keep);
    }

    private static ActionRejectedException invalid() {
        return new ActionRejectedException(
                "Invalid whatsappNumber: give the country code and number, 7 to 15 digits (e.g. 447700900123)");
    }
}
