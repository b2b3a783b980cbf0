package io.waticamel.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionReader;
import io.waticamel.action.ActionRejectedException;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a caller's {@code file_url} for send_session_file: no credentials sent, at most
 * {@value #MAX_REDIRECTS} redirects each checked again, WhatsApp's media limits enforced while
 * streaming (the download stops as soon as a limit is passed) and the bytes spooled to a
 * temporary file, never held in memory.
 */
public class MediaDownloader {

    public static final String PROPERTY = "watiDownloadedFile";
    static final int MAX_REDIRECTS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(MediaDownloader.class);
    private static final Pattern DISPOSITION_NAME = Pattern.compile("(?i)filename\\*?=\\s*(?:UTF-8'')?\"?([^\";]+)\"?");

    private final UrlGuard guard;
    private final Path tempDir;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final String userAgent;

    public MediaDownloader(UrlGuard guard, Path tempDir, int connectTimeoutMs, int readTimeoutMs, String userAgent) {
        this.guard = guard;
        this.tempDir = tempDir;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.userAgent = userAgent;
    }

    public void download(Exchange exchange) throws IOException {
        ActionFields fields = exchange.getProperty(ActionReader.PROPERTY, ActionFields.class);
        DownloadedFile file = download(fields.get("file_url").strip());
        exchange.setProperty(PROPERTY, file);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                delete(file.path());
            }
        });
    }

    public DownloadedFile download(String url) throws IOException {
        URI uri = guard.check("file_url", url);
        for (int hop = 0;; hop++) {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout(connectTimeoutMs);
            connection.setReadTimeout(readTimeoutMs);
            connection.setRequestProperty("User-Agent", userAgent);
            try {
                int status = connection.getResponseCode();
                if (status >= 300 && status < 400 && connection.getHeaderField("Location") != null) {
                    if (hop >= MAX_REDIRECTS) {
                        throw new ActionRejectedException("file_url redirects more than " + MAX_REDIRECTS + " times");
                    }
                    uri = guard.check("file_url redirect", uri.resolve(connection.getHeaderField("Location")).toString());
                    continue;
                }
                if (status < 200 || status > 299) {
                    throw new ActionRejectedException("file_url could not be downloaded: HTTP " + status,
                            status >= 500 ? 502 : 400);
                }
                return spool(uri, connection);
            } finally {
                connection.disconnect();
            }
        }
    }

    private DownloadedFile spool(URI uri, HttpURLConnection connection) throws IOException {
        String fileName = fileName(uri, connection.getHeaderField("Content-Disposition"));
        String contentType = MediaKind.baseType(connection.getContentType());
        if (contentType.isEmpty() || contentType.endsWith("/octet-stream")) {
            // servers that do not know the type: the extension decides
            String byName = MediaKind.contentTypeOf(fileName);
            contentType = byName != null ? byName : contentType;
        }
        MediaKind kind = MediaKind.of(contentType);
        if (kind == null) {
            throw new ActionRejectedException("Unsupported media type '" + (contentType.isEmpty() ? "unknown" : contentType)
                    + "' for " + fileName + ": WhatsApp takes images (JPEG, PNG), video (MP4, 3GPP), audio (AAC, AMR, MP3, M4A, OGG) and documents (PDF, Office, text, CSV, ZIP)");
        }
        long declared = connection.getContentLengthLong();
        if (declared > kind.maxBytes()) {
            throw tooLarge(fileName, kind);
        }
        Files.createDirectories(tempDir);
        Path path = Files.createTempFile(tempDir, "send-", ".part");
        long size = 0;
        try (InputStream in = connection.getInputStream(); OutputStream out = Files.newOutputStream(path)) {
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

    static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Could not delete temporary file {}: {}", path, e.getMessage());
        }
    }
}
