package io.waticamel.files;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** WhatsApp's media kinds and their size limits (Meta's, which WATI forwards to). */
public enum MediaKind {
    IMAGE("images", 5L * 1024 * 1024, Set.of("image/jpeg", "image/png")),
    STICKER("stickers", 500L * 1024, Set.of("image/webp")),
    VIDEO("video", 16L * 1024 * 1024, Set.of("video/mp4", "video/3gpp")),
    AUDIO("audio", 16L * 1024 * 1024, Set.of("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg", "audio/opus")),
    DOCUMENT("documents", 100L * 1024 * 1024, Set.of("application/pdf", "application/msword",
            "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/rtf", "application/zip", "text/plain", "text/csv"));

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("png", "image/png"),
            Map.entry("webp", "image/webp"), Map.entry("mp4", "video/mp4"), Map.entry("3gp", "video/3gpp"),
            Map.entry("aac", "audio/aac"), Map.entry("amr", "audio/amr"), Map.entry("mp3", "audio/mpeg"),
            Map.entry("m4a", "audio/mp4"), Map.entry("ogg", "audio/ogg"), Map.entry("opus", "audio/ogg"),
            Map.entry("pdf", "application/pdf"), Map.entry("doc", "application/msword"),
            Map.entry("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            Map.entry("xls", "application/vnd.ms-excel"),
            Map.entry("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Map.entry("ppt", "application/vnd.ms-powerpoint"),
            Map.entry("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            Map.entry("rtf", "application/rtf"), Map.entry("zip", "application/zip"),
            Map.entry("txt", "text/plain"), Map.entry("csv", "text/csv"));

    private final String label;
    private final long maxBytes;
    private final Set<String> contentTypes;

    MediaKind(String label, long maxBytes, Set<String> contentTypes) {
        this.label = label;
        this.maxBytes = maxBytes;
        this.contentTypes = contentTypes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public boolean isDocument() {
        return this == DOCUMENT;
    }

    /** "images up to 5 MB" */
    public String limitText() {
        return label + " up to " + (maxBytes >= 1024 * 1024 ? maxBytes / (1024 * 1024) + " MB" : maxBytes / 1024 + " KB");
    }

    /** The kind of a content type (parameters ignored), or null when WhatsApp does not take it. */
    public static MediaKind of(String contentType) {
        String type = baseType(contentType);
        for (MediaKind kind : values()) {
            if (kind.contentTypes.contains(type)) {
                return kind;
            }
        }
        return null;
    }

    /** The content type that a file name's extension stands for, or null. */
    public static String contentTypeOf(String fileName) {
        int dot = fileName == null ? -1 : fileName.lastIndexOf('.');
        return dot < 0 ? null : BY_EXTENSION.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    public static String baseType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }
}
