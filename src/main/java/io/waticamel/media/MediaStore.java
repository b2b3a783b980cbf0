package io.waticamel.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.waticamel.security.SecretMasking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Azure Blob Storage for archived media: a client from {@code wati.azure.connection-string}, or,
 * when none is set, from Azurite as a development service, prepared in the background from
 * start-up (or from the first get_media). Owner containers are created on first use (and remembered).
 */
public final class MediaStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MediaStore.class);

    private final BlobServiceClient client;
    private final Set<String> knownContainers = ConcurrentHashMap.newKeySet();
    /** Null with a connection string. */
    private final BackgroundAzurite devService;
    private final boolean prepareAtStart;

    private MediaStore(BlobServiceClient client, BackgroundAzurite devService, boolean prepareAtStart) {
        this.client = client;
        this.devService = devService;
        this.prepareAtStart = prepareAtStart;
    }

    public static MediaStore connect(String connectionString, RequestRetryOptions retries) {
        SecretMasking.register(connectionString);
        return new MediaStore(client(connectionString, retries), null, false);
    }

    /**
     * No connection string: Azurite on 127.0.0.1:{@code port}, installed into {@code installDir} when
     * missing, prepared from {@link #start()} if {@code prepareAtStart}, else from the first get_media,
     * which waits for it up to {@code readyWait}.
     */
    public static MediaStore devService(Path installDir, Path dataDir, int port, boolean prepareAtStart, Duration readyWait,
            RequestRetryOptions retries) {
        LOG.info("No wati.azure.connection-string: media goes to Azurite (dev service) on 127.0.0.1:{}, prepared in the background "
                + "{} with data in {}", port, prepareAtStart ? "from start-up" : "from the first get_media", dataDir.toAbsolutePath());
        return new MediaStore(client(AzuriteDevService.connectionString(port), retries),
                new BackgroundAzurite(installDir, dataDir, port, readyWait), prepareAtStart);
    }

    /**
     * Retries of the Azure SDK, bounded: its default (4 tries, up to 2 minutes apart) keeps a caller
     * waiting minutes when storage is down. An upload goes in blocks held until sent, so a failed
     * block request is retried; the media stream itself is read once.
     */
    public static RequestRetryOptions retries(int maxTries, int tryTimeoutSeconds) {
        return new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, maxTries, tryTimeoutSeconds, 500L, 5000L, null);
    }

    private static BlobServiceClient client(String connectionString, RequestRetryOptions retries) {
        return new BlobServiceClientBuilder().connectionString(connectionString).retryOptions(retries).buildClient();
    }

    public BlobServiceClient client() {
        return client;
    }

    /** At start-up: begins preparing the dev service in the background, if this store uses one and should. */
    public void start() {
        if (devService != null && prepareAtStart) {
            devService.start();
        }
    }

    /**
     * Before storing: with a dev service, waits (bounded) until it runs; a 502 for the action when it
     * is not ready in time or could not be started.
     */
    public void ensureAvailable() throws InterruptedException {
        if (devService != null) {
            devService.awaitReady();
        }
    }

    /** Creates the container once; an existing one (409) is fine. */
    public void ensureContainer(String container) {
        if (!knownContainers.contains(container)) {
            if (client.getBlobContainerClient(container).createIfNotExists()) {
                LOG.info("Created blob container {}", container);
            }
            knownContainers.add(container);
        }
    }

    public String blobUrl(String container, String blobName) {
        return client.getBlobContainerClient(container).getBlobClient(blobName).getBlobUrl();
    }

    public boolean delete(String container, String blobName) {
        return client.getBlobContainerClient(container).getBlobClient(blobName).deleteIfExists();
    }

    @Override
    public void close() {
        if (devService != null) {
            devService.close();
        }
    }
}
