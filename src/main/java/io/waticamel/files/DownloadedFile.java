package io.waticamel.files;

import java.nio.file.Path;

/** A file fetched from a caller's {@code file_url}, spooled to a temporary file (deleted when the exchange completes). */
public record DownloadedFile(Path path, String fileName, String contentType, long size, MediaKind kind) {
}
