package io.waticamel.files;

import java.text.Normalizer;

/** File names that are safe to pass on and to store: no path separators, no "..", no control characters. */
public final class FileNames {

    private FileNames() {
    }

    /** Keeps letters, digits, '.', '-', '_' (runs of others become '_'); never empty, never a dot-name. */
    public static String safe(String name, String fallback) {
        if (name == null) {
            return fallback;
        }
        String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        String ascii = Normalizer.normalize(base, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        String cleaned = ascii.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (cleaned.length() > 120) {
            int dot = cleaned.lastIndexOf('.');
            String ext = dot > 0 && cleaned.length() - dot <= 10 ? cleaned.substring(dot) : "";
            cleaned = cleaned.substring(0, 120 - ext.length()) + ext;
        }
        // after the cut, so it cannot join dots again
        cleaned = cleaned.replaceAll("\\.{2,}", ".").replaceAll("^[._]+", "");
        return cleaned.isEmpty() ? fallback : cleaned;
    }
}
