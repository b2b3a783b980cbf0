package io.waticamel.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.azure.storage.blob.models.BlobHttpHeaders;
import io.waticamel.action.ActionFailedException;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionOutcome;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.files.CountingInputStream;
import io.waticamel.files.MediaDownloader;
import io.waticamel.files.UrlGuard;
import io.waticamel.http.OutboundHttp;
import io.waticamel.pipeline.Action;
import io.waticamel.wati.WatiAnswer;
import io.waticamel.wati.WatiAnswerInterpreter;
import io.waticamel.wati.WatiCredentials;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of get_media: check the request, stream WATI's media into the owner's blob container
 * (through camel-azure-storage-blob, the body a counting stream), then describe the stored blob for
 * the {@code files} row, and clean up when storing or recording fails, so nothing is orphaned silently.
 */
public class MediaArchive {

    /** Exchange property: the {@link Download} in progress. */
    static final String BLOB_CONTAINER = "CamelAzureStorageBlobBlobContainerName";
    static final String BLOB_NAME = "CamelAzureStorageBlobBlobName";
    static final String BLOB_SIZE = "CamelAzureStorageBlobBlobUploadSize";
    static final String BLOB_HTTP_HEADERS = "CamelAzureStorageBlobHttpHeaders";
    private static final Logger LOG = LoggerFactory.getLogger(MediaArchive.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final String SUCCESS_TEXT = "Successfully fetched media.";

    /** One get_media in progress. */
    public static final class Download {
        final String id = UUID.randomUUID().toString();
        final String ownerId;
        final String container;
        final String sourceUrl;
        final String sourceFileName;
        final String fileName;
        final String blobName;
        String contentType;
        long declaredSize = -1;
        CountingInputStream counter;
        Path spooled;

        Download(String ownerId, String container, String sourceUrl, String sourceFileName) {
            this.ownerId = ownerId;
            this.container = container;
            this.sourceUrl = sourceUrl;
            this.sourceFileName = sourceFileName;
            this.fileName = MediaNames.fileName(sourceFileName);
            this.blobName = MediaNames.blobName(id, fileName);
        }
    }

    private final MediaStore store;
    private final WatiAnswerInterpreter interpreter;
    private final String containerPrefix;
    private final String defaultOwnerId;
    private final Path tempDir;

    public MediaArchive(MediaStore store, WatiAnswerInterpreter interpreter, String containerPrefix, String defaultOwnerId,
            Path tempDir) {
        this.store = store;
        this.interpreter = interpreter;
        this.containerPrefix = MediaNames.containerPrefix(containerPrefix);
        this.defaultOwnerId = defaultOwnerId;
        this.tempDir = tempDir;
    }

    /**
     * The checks, then the storage made ready; the download is the action's WATI call, sent by
     * direct:wati-fetch like every other call.
     */
    public void prepare(Exchange exchange) throws IOException, InterruptedException {
        check(exchange);
        store.ensureAvailable();
        Action action = Action.of(exchange);
        action.call(WatiRequests.showFile(URI.create(action.attached(Download.class).sourceUrl), action.credentials()), SUCCESS_TEXT);
    }

    /** Everything checked before any network call: fileName, same origin as the endpoint, owner; also before an async 202. */
    public void check(Exchange exchange) {
        Action action = Action.of(exchange);
        ActionFields fields = action.fields();
        WatiCredentials credentials = action.credentials();
        String url = fields.get("file_url");
        if (url == null) {
            throw new ActionRejectedException("No file_url provided");
        }
        URI uri = UrlGuard.requireHttp("file_url", url.strip());
        String sourceFileName = fileNameParameter(uri);
        if (sourceFileName == null) {
            throw new ActionRejectedException("Invalid filepath within URL");
        }
        if (!OutboundHttp.sameOrigin(uri, credentials.endpoint())) {
            throw new ActionRejectedException("file_url must be on the WATI endpoint's origin (" + origin(credentials.endpoint())
                    + "): the access token is only sent to WATI");
        }
        String owner = fields.get("owner_id") != null ? fields.get("owner_id") : defaultOwnerId;
        String ownerId = MediaNames.ownerId(owner);
        action.attach(Download.class, new Download(ownerId, MediaNames.container(containerPrefix, ownerId), uri.toString(),
                sourceFileName));
    }

    /**
     * WATI's answer to the download (after the throttle, retries and redirects of direct:wati-fetch):
     * a refusal ends the action with WATI's status and reason; on success the body, counted, is what
     * the blob upload reads, with the blob headers set.
     */
    public void download(Exchange exchange) throws IOException {
        Download download = Action.of(exchange).attached(Download.class);
        Message answer = exchange.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        InputStream body = answer.getBody(InputStream.class);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (download.spooled != null) {
                    deleteQuietly(download.spooled);
                }
            }
        });
        if (status < 200 || status > 299) {
            byte[] error;
            try (InputStream in = body) {
                error = in == null ? new byte[0] : in.readNBytes(MAX_ERROR_BODY);
            }
            WatiAnswer refusal = interpreter.interpret(status, error);
            throw new ActionFailedException(refusal.reason(), refusal.body(), ActionOutcome.WATI_REFUSED);
        }
        if (body == null) {
            body = InputStream.nullInputStream();
        }
        long contentLength = answer.getHeader("Content-Length", -1L, Long.class);
        String contentType = MediaDownloader.contentType(answer.getHeader(Exchange.CONTENT_TYPE, String.class),
                download.sourceFileName);
        download.contentType = contentType.isEmpty() ? "application/octet-stream" : contentType;
        if (contentLength < 0) {
            // no Content-Length: a single blob upload needs the length first, so spool to disk (never to memory)
            download.spooled = Files.createTempFile(Files.createDirectories(tempDir), "media-", ".part");
            try (InputStream in = body; OutputStream out = Files.newOutputStream(download.spooled)) {
                in.transferTo(out);
            }
            body = Files.newInputStream(download.spooled);
            download.declaredSize = Files.size(download.spooled);
        } else {
            download.declaredSize = contentLength;
        }
        download.counter = new CountingInputStream(body);
        try {
            store.ensureContainer(download.container);
        } catch (RuntimeException e) {
            throw storageFailure(e);
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(BLOB_CONTAINER, download.container);
        message.setHeader(BLOB_NAME, download.blobName);
        message.setHeader(BLOB_SIZE, download.declaredSize);
        message.setHeader(BLOB_HTTP_HEADERS, new BlobHttpHeaders().setContentType(download.contentType)
                .setContentDisposition("inline; filename=\"" + download.fileName + "\""));
        message.setBody(download.counter);
    }

    /** After the upload: the row's values as headers for the INSERT, and the task response. */
    public void stored(Exchange exchange) {
        Download download = Action.of(exchange).attached(Download.class);
        long size = download.counter.count();
        if (size != download.declaredSize) {
            removeBlob(download);
            throw new ActionFailedException("Media download ended early: " + size + " of " + download.declaredSize + " bytes; nothing stored", null,
                    ActionOutcome.DOWNLOAD_FAILED);
        }
        String blobUrl = store.blobUrl(download.container, download.blobName);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setBody(null);
        message.setHeader("id", download.id);
        message.setHeader("ownerId", download.ownerId);
        // the row is the caller's (API key name): the files API shows it to that key and the admins only
        message.setHeader("caller", Action.of(exchange).caller());
        message.setHeader("fileUrl", blobUrl);
        message.setHeader("fileName", download.fileName);
        message.setHeader("size", size);
        message.setHeader("contentType", download.contentType);
        message.setHeader("sourceFileName", download.sourceFileName);
        message.setHeader("container", download.container);
        message.setHeader("blobName", download.blobName);
        message.setHeader("createdAt", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("id", download.id);
        response.put("owner_id", download.ownerId);
        response.put("file_url", blobUrl);
        response.put("file_name", download.fileName);
        response.put("size", size);
        response.put("contentType", download.contentType);
        Action.of(exchange).succeeded(SUCCESS_TEXT, response);
    }

    /** The upload failed: no row; a partial blob is removed. */
    public void storageFailed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Download download = Action.of(exchange).attached(Download.class);
        if (e instanceof ActionFailedException failed) {
            throw failed;
        }
        LOG.warn("Storing {} in container {} failed: {}", download.blobName, download.container, e.toString());
        try {
            removeBlob(download);
        } catch (RuntimeException ignored) {
            // storage is down: there is nothing to remove either
        }
        throw storageFailure(e);
    }

    /** The row could not be written: the blob is removed, or, if that fails too, the orphan is logged loudly. */
    public void recordFailed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Download download = Action.of(exchange).attached(Download.class);
        LOG.warn("Recording file {} failed: {}", download.id, e.toString());
        try {
            removeBlob(download);
        } catch (RuntimeException deleteFailed) {
            LOG.error("ORPHANED BLOB: container {} blob {} is stored but not recorded in the files table, and could not be removed: {}",
                    download.container, download.blobName, deleteFailed.toString());
        }
        throw new ActionFailedException("Media could not be recorded in the files table; the stored blob was removed", null,
                ActionOutcome.STORAGE_FAILED);
    }

    private void removeBlob(Download download) {
        if (store.delete(download.container, download.blobName)) {
            LOG.info("Removed blob {} from container {}", download.blobName, download.container);
        }
    }

    private static ActionFailedException storageFailure(Exception e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return new ActionFailedException("Media could not be stored in Azure Blob Storage: "
                + (reason.length() > 200 ? reason.substring(0, 200) : reason), null, ActionOutcome.STORAGE_FAILED);
    }

    /** The last path segment of the {@code fileName} query parameter, or null when there is none. */
    static String fileNameParameter(URI uri) {
        String query = uri.getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("fileName")) {
                String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).strip();
                String last = value.substring(Math.max(value.lastIndexOf('/'), value.lastIndexOf('\\')) + 1);
                return last.isBlank() ? null : last;
            }
        }
        return null;
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Could not delete temporary file {}: {}", path, e.getMessage());
        }
    }
}
