package io.waticamel.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waticamel.action.ActionFailedException;
import io.waticamel.action.ActionRejectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a caller's {@code file_url} for send_session_file: no credentials sent, redirects
 * checked by the {@link HttpFetcher}, WhatsApp's media limits enforced while streaming (the
 * download stops as soon as a limit is passed) and the bytes spooled to a temporary file, never
 * held in memory, so WATI gets a Content-Length.
 */
public class MediaDownloader {

    private static final Logger LOG = LoggerFactory.getLogger(MediaDownloader.class);
    private static final Pattern DISPOSITION_NAME = Pattern.compile("(?i)filename\\*?=\\s*(?:UTF-8'')?\"?([^\";]+)\"?");

    private final HttpFetcher fetcher;
    private final Path tempDir;

    public MediaDownloader(HttpFetcher fetcher, Path tempDir) {
        this.fetcher = fetcher;
        this.tempDir = tempDir;
    }

    public DownloadedFile download(String url) throws IOException {
        try (HttpFetcher.Fetched fetched = fetcher.get("file_url", url, null, null)) {
            if (fetched.status() >= 500) {
                throw new ActionFailedException("file_url could not be downloaded: HTTP " + fetched.status());
            }
            if (fetched.status() < 200 || fetched.status() > 299) {
                throw new ActionRejectedException("file_url could not be downloaded: HTTP " + fetched.status());
            }
            return spool(fetched);
        }
    }

    private DownloadedFile spool(HttpFetcher.Fetched fetched) throws IOException {
        String fileName = fileName(fetched.uri(), fetched.contentDisposition());
        String contentType = contentType(fetched.contentType(), fileName);
        MediaKind kind = MediaKind.of(contentType);
        if (kind == null) {
            throw new ActionRejectedException("Unsupported media type '" + (contentType.isEmpty() ? "unknown" : contentType)
                    + "' for " + fileName + ": WhatsApp takes images (JPEG, PNG), video (MP4, 3GPP), audio (AAC, AMR, MP3, M4A, OGG) and documents (PDF, Office, text, CSV, ZIP)");
        }
        if (fetched.contentLength() > kind.maxBytes()) {
            throw tooLarge(fileName, kind);
        }
        Files.createDirectories(tempDir);
        Path path = Files.createTempFile(tempDir, "send-", ".part");
        long size = 0;
        try (InputStream in = fetched.body(); OutputStream out = Files.newOutputStream(path)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                size += n;
                if (size > kind.maxBytes()) {
                    throw tooLarge(fileName, kind);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            delete(path);
            throw e;
        }
        LOG.debug("Downloaded {} ({} bytes, {})", fileName, size, contentType);
        return new DownloadedFile(path, fileName, contentType, size, kind);
    }

    /** The served content type; the extension decides when the server does not know it. */
    public static String contentType(String served, String fileName) {
        String contentType = MediaKind.baseType(served);
        if (contentType.isEmpty() || contentType.endsWith("/octet-stream")) {
            String byName = MediaKind.contentTypeOf(fileName);
            return byName != null ? byName : contentType;
        }
        return contentType;
    }

    private static ActionRejectedException tooLarge(String fileName, MediaKind kind) {
        return new ActionRejectedException(fileName + " is too large: WhatsApp takes " + kind.limitText());
    }

    /** The original file name: Content-Disposition, else the URL's last path segment; no path parts. */
    static String fileName(URI uri, String contentDisposition) {
        String name = null;
        if (contentDisposition != null) {
            Matcher m = DISPOSITION_NAME.matcher(contentDisposition);
            if (m.find()) {
                name = URLDecoder.decode(m.group(1).replace("+", "%2B"), StandardCharsets.UTF_8);
            }
        }
        if (name == null && uri.getPath() != null) {
            String path = uri.getPath();
            name = path.substring(path.lastIndexOf('/') + 1);
        }
        return FileNames.safe(name, "file");
    }

    public static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Could not delete temporary file {}: {}", path, e.getMessage());
        }
    }
}
