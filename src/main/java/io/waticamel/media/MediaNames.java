package io.waticamel.media;

import java.util.Locale;
import java.util.regex.Pattern;

import io.waticamel.action.ActionRejectedException;
import io.waticamel.files.FileNames;

/**
 * Names in Azure Blob Storage, derived only from sanitised values: one container per owner
 * ({@code <prefix>-<owner_id>}, valid under Azure's container rules) and blob names that are unique
 * per download ({@code <record id>-basecloud_wa_<safe file name>}, no "/" so the URL stays plain).
 */
public final class MediaNames {

    public static final String OWNER_ID_RULE = "1 to 40 letters, digits or single hyphens, starting and ending with a letter or digit";
    public static final String FILE_NAME_PREFIX = "basecloud_wa_";
    private static final Pattern OWNER_ID = Pattern.compile("(?i)[a-z0-9](?:-?[a-z0-9]){0,39}");
    private static final Pattern CONTAINER_PREFIX = Pattern.compile("[a-z0-9](?:-?[a-z0-9]){1,19}");

    private MediaNames() {
    }

    public static boolean isValidOwnerId(String ownerId) {
        return ownerId != null && ownerId.strip().length() <= 40 && OWNER_ID.matcher(ownerId.strip()).matches();
    }

    /** The owner id as stored: lower case, so one owner is one container whatever case callers use. */
    public static String ownerId(String raw) {
        if (!isValidOwnerId(raw)) {
            throw new ActionRejectedException("Invalid owner_id: " + OWNER_ID_RULE);
        }
        return raw.strip().toLowerCase(Locale.ROOT);
    }

    /** Checks the configured prefix once at start: Azure allows 3-63 lower-case letters, digits and single hyphens. */
    public static String containerPrefix(String prefix) {
        if (prefix == null || !CONTAINER_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("wati.media.container-prefix must be 2 to 20 lower-case letters, digits or single hyphens");
        }
        return prefix;
    }

    public static String container(String prefix, String ownerId) {
        return prefix + "-" + ownerId;
    }

    /** {@code basecloud_wa_<base name>} with only safe characters. */
    public static String fileName(String sourceFileName) {
        return FILE_NAME_PREFIX + FileNames.safe(sourceFileName, "media");
    }

    public static String blobName(String recordId, String fileName) {
        return recordId + "-" + fileName;
    }
}
