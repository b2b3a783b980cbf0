package io.waticamel.sandbox;

/**
 * A caller's text the sandbox puts in an answer or an event it makes (an unknown field's name, an
 * operation, a file name, a sender's name): one short line, so a name of 10 kB or with line breaks
 * and escape codes is not echoed as it came.
 */
final class EchoedText {

    static final int MAX = 64;

    private EchoedText() {
    }

    /** Control characters replaced by '?', then at most {@value #MAX} characters and "..."; null stays null. */
    static String cut(String text) {
        if (text == null) {
            return null;
        }
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() > MAX ? oneLine.substring(0, MAX) + "..." : oneLine;
    }
}
