package io.waticamel.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waticamel.action.ActionOutcome;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.AddressGuard;
import io.waticamel.http.OutboundHttp;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.RedirectException;
import org.apache.hc.client5.http.classic.HttpClient;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a caller's {@code file_url} for send_session_file with the runtime's one HTTP client:
 * no credentials sent, the URL checked first (for a clear answer) and every connection and redirect
 * hop checked by the client, WhatsApp's media limits enforced while streaming (the download stops
 * as soon as a limit is passed) and the bytes spooled to a temporary file, never held in memory, so
 * WATI gets a Content-Length. A file that cannot be fetched is the caller's problem: 400 with the
 * reason, whatever the cause (name, connection, status, size); WATI is not called.
 */
public class MediaDownloader {

    private static final Logger LOG = LoggerFactory.getLogger(MediaDownloader.class);
    private static final Pattern DISPOSITION_NAME = Pattern.compile("(?i)filename\\*?=\\s*(?:UTF-8'')?\"?([^\";]+)\"?");

    private final HttpClient client;
    private final UrlGuard guard;
    private final Path tempDir;

    public MediaDownloader(HttpClient client, UrlGuard guard, Path tempDir) {
        this.client = client;
        this.guard = guard;
        this.tempDir = tempDir;
    }

    public DownloadedFile download(String url) {
        URI uri = guard.check("file_url", url);
        HttpClientContext context = HttpClientContext.create();
        HttpGet get = new HttpGet(uri);
        try (ClassicHttpResponse response = client.executeOpen(null, get, context)) {
            int status = response.getCode();
            if (status < 200 || status > 299) {
                throw new ActionRejectedException("file_url could not be downloaded: HTTP " + status, 400, ActionOutcome.DOWNLOAD_FAILED);
            }
            List<URI> hops = context.getRedirectLocations().getAll();
            return spool(hops.isEmpty() ? uri : hops.get(hops.size() - 1), response, get);
        } catch (AddressGuard.AddressRefusedException e) {
            throw UrlGuard.refused(e.isFor(uri) ? "file_url" : "file_url redirect");
        } catch (UnknownHostException e) {
            throw new ActionRejectedException("file_url host cannot be resolved: " + uri.getHost(), 400, ActionOutcome.DOWNLOAD_FAILED);
        } catch (ClientProtocolException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ActionRejectedException(cause instanceof RedirectException
                    ? "file_url redirects more than " + OutboundHttp.MAX_REDIRECTS + " times"
                    : "file_url could not be downloaded: " + cause.getMessage(), 400, ActionOutcome.DOWNLOAD_FAILED);
        } catch (IOException e) {
            throw new ActionRejectedException("file_url could not be downloaded: " + reason(e), 400, ActionOutcome.DOWNLOAD_FAILED);
        }
    }

    private DownloadedFile spool(URI source, ClassicHttpResponse response, HttpGet get) throws IOException {
        Header disposition = response.getFirstHeader("Content-Disposition");
        String fileName = fileName(source, disposition == null ? null : disposition.getValue());
        HttpEntity entity = response.getEntity();
        String contentType = contentType(entity == null ? null : entity.getContentType(), fileName);
        MediaKind kind = MediaKind.of(contentType);
        if (kind == null) {
            throw new ActionRejectedException("Unsupported media type '" + (contentType.isEmpty() ? "unknown" : contentType)
                    + "' for " + fileName + ": WhatsApp takes images (JPEG, PNG), video (MP4, 3GPP), audio (AAC, AMR, MP3, M4A, OGG) and documents (PDF, Office, text, CSV, ZIP)");
        }
        if (entity != null && entity.getContentLength() > kind.maxBytes()) {
            get.cancel();
            throw tooLarge(fileName, kind);
        }
        Path path = temporaryFile();
        long size = 0;
        InputStream in = entity == null ? InputStream.nullInputStream() : entity.getContent();
        try (OutputStream out = Files.newOutputStream(path)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                size += n;
                if (size > kind.maxBytes()) {
                    throw tooLarge(fileName, kind);
                }
                write(out, buffer, n);
            }
        } catch (IOException | RuntimeException e) {
            // the rest is not read: the connection is dropped rather than drained (closing the stream would read it all)
            get.cancel();
            delete(path);
            throw e;
        }
        in.close();
        LOG.debug("Downloaded {} ({} bytes, {})", fileName, size, contentType);
        return new DownloadedFile(path, fileName, contentType, size, kind);
    }

    /** The local disk failing is the runtime's fault, not the caller's: not an IOException of the download. */
    private Path temporaryFile() {
        try {
            Files.createDirectories(tempDir);
            return Files.createTempFile(tempDir, "send-", ".part");
        } catch (IOException e) {
            throw new UncheckedIOException("Temporary file for file_url in " + tempDir, e);
        }
    }

    private static void write(OutputStream out, byte[] buffer, int n) {
        try {
            out.write(buffer, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("Temporary file for file_url", e);
        }
    }

    private static String reason(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
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
