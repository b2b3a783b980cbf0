package io.waticamel.media;

import java.io.IOException;
import java.nio.file.Path;
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
 * when none is set, from Azurite started as a development service on first use. Owner containers
 * are created on first use (and remembered).
 */
public final class MediaStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MediaStore.class);

    private final BlobServiceClient client;
    private final Set<String> knownContainers = ConcurrentHashMap.newKeySet();
    private final Path azuriteInstallDir;
    private final Path azuriteDataDir;
    private final int azuritePort;
    private AzuriteDevService devService;

    private MediaStore(BlobServiceClient client, Path azuriteInstallDir, Path azuriteDataDir, int azuritePort) {
        this.client = client;
        this.azuriteInstallDir = azuriteInstallDir;
        this.azuriteDataDir = azuriteDataDir;
        this.azuritePort = azuritePort;
    }

    public static MediaStore connect(String connectionString, RequestRetryOptions retries) {
        SecretMasking.register(connectionString);
        return new MediaStore(client(connectionString, retries), null, null, 0);
    }

    /** No connection string: Azurite on 127.0.0.1:{@code port}, installed and started on first use. */
    public static MediaStore devService(Path installDir, Path dataDir, int port, RequestRetryOptions retries) {
        LOG.info("No wati.azure.connection-string: media goes to Azurite (dev service) on 127.0.0.1:{}, "
                + "started on first use with data in {}", port, dataDir.toAbsolutePath());
        return new MediaStore(client(AzuriteDevService.connectionString(port), retries), installDir, dataDir, port);
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

    /** Starts the dev service if this store uses one and it is not running yet. */
    public synchronized void ensureAvailable() throws IOException, InterruptedException {
        if (azuriteInstallDir != null && devService == null) {
            devService = AzuriteDevService.start(azuriteInstallDir, azuriteDataDir, azuritePort);
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
    public synchronized void close() {
        if (devService != null) {
            devService.close();
            devService = null;
        }
    }
}
