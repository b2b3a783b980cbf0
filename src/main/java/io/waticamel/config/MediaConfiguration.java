package io.waticamel.config;

import java.nio.file.Path;
import java.time.Duration;

import com.azure.storage.blob.BlobServiceClient;
import io.waticamel.media.MediaArchive;
import io.waticamel.media.MediaStore;
import io.waticamel.wati.WatiAnswerInterpreter;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;

/** get_media's storage: Azure Blob Storage by connection string, or Azurite as a dev service when there is none. */
public class MediaConfiguration implements CamelConfiguration {

    private MediaStore mediaStore;

    /**
     * Made once (Camel Main calls factory methods twice), started when bound (a dev service is then
     * prepared in the background), closed with Camel.
     */
    @BindToRegistry(value = "mediaStore", initMethod = "start", destroyMethod = "close")
    public synchronized MediaStore mediaStore(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds,
            @PropertyInject("wati.azurite.install-dir") String azuriteInstallDir,
            @PropertyInject("wati.azurite.prepare-at-start") boolean azuritePrepareAtStart,
            @PropertyInject("wati.azurite.ready-wait-seconds") int azuriteReadyWaitSeconds) {
        if (mediaStore == null) {
            var retries = MediaStore.retries(maxTries, tryTimeoutSeconds);
            mediaStore = connectionString == null || connectionString.isBlank()
                    ? MediaStore.devService(Path.of(azuriteInstallDir), Path.of(dataDir, "azurite", "blobs"), azuritePort,
                            azuritePrepareAtStart, Duration.ofSeconds(azuriteReadyWaitSeconds), retries)
                    : MediaStore.connect(connectionString.strip(), retries);
        }
        return mediaStore;
    }

    /** The client the azure-storage-blob endpoints use ({@code serviceClient=#watiBlobServiceClient}). */
    @BindToRegistry("watiBlobServiceClient")
    public BlobServiceClient watiBlobServiceClient(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds,
            @PropertyInject("wati.azurite.install-dir") String azuriteInstallDir,
            @PropertyInject("wati.azurite.prepare-at-start") boolean azuritePrepareAtStart,
            @PropertyInject("wati.azurite.ready-wait-seconds") int azuriteReadyWaitSeconds) {
        return mediaStore(connectionString, dataDir, azuritePort, maxTries, tryTimeoutSeconds, azuriteInstallDir, azuritePrepareAtStart,
                azuriteReadyWaitSeconds).client();
    }

    @BindToRegistry
    public MediaArchive mediaArchive(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds,
            @PropertyInject("wati.azurite.install-dir") String azuriteInstallDir,
            @PropertyInject("wati.azurite.prepare-at-start") boolean azuritePrepareAtStart,
            @PropertyInject("wati.azurite.ready-wait-seconds") int azuriteReadyWaitSeconds,
            @PropertyInject("wati.media.container-prefix") String containerPrefix,
            @PropertyInject("wati.media.default-owner-id") String defaultOwnerId) {
        return new MediaArchive(mediaStore(connectionString, dataDir, azuritePort, maxTries, tryTimeoutSeconds, azuriteInstallDir,
                azuritePrepareAtStart, azuriteReadyWaitSeconds),
                new WatiAnswerInterpreter(), containerPrefix, defaultOwnerId, Path.of(dataDir, "tmp"));
    }
}
