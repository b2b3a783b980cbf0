package io.waticamel.http;

/**
 * A caller's text put in an answer or an event the runtime makes (an unknown field's or query
 * parameter's name, a value, an operation, a sender's name): one short line, so a name of 10 kB or
 * with line breaks and escape codes is not echoed as it came.
 */
public final class EchoedText {

    public static final int MAX = 64;

    private EchoedText() {
    }

    /** Control characters replaced by '?', then at most {@value #MAX} characters and "..."; null stays null. */
    public static String cut(String text) {
        return cut(text, MAX);
    }

    /** Control characters replaced by '?', then at most {@code max} characters and "..."; null stays null. */
    public static String cut(String text, int max) {
        if (text == null) {
            return null;
        }
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() > max ? oneLine.substring(0, max) + "..." : oneLine;
    }
}
