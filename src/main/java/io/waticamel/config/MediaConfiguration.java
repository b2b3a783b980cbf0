package io.waticamel.config;

import java.nio.file.Path;

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

    /** Made once (Camel Main calls factory methods twice), closed with Camel. */
    @BindToRegistry(value = "mediaStore", destroyMethod = "close")
    public synchronized MediaStore mediaStore(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds) {
        if (mediaStore == null) {
            var retries = MediaStore.retries(maxTries, tryTimeoutSeconds);
            mediaStore = connectionString == null || connectionString.isBlank()
                    ? MediaStore.devService(Path.of(dataDir, "azurite", "install"), Path.of(dataDir, "azurite", "blobs"),
                            azuritePort, retries)
                    : MediaStore.connect(connectionString.strip(), retries);
        }
        return mediaStore;
    }

    /** The client the azure-storage-blob endpoints use ({@code serviceClient=#watiBlobServiceClient}). */
    @BindToRegistry("watiBlobServiceClient")
    public BlobServiceClient watiBlobServiceClient(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds) {
        return mediaStore(connectionString, dataDir, azuritePort, maxTries, tryTimeoutSeconds).client();
    }

    @BindToRegistry
    public MediaArchive mediaArchive(@PropertyInject("wati.azure.connection-string") String connectionString,
            @PropertyInject("wati.data.dir") String dataDir, @PropertyInject("wati.azurite.port") int azuritePort,
            @PropertyInject("wati.azure.max-tries") int maxTries,
            @PropertyInject("wati.azure.try-timeout-seconds") int tryTimeoutSeconds,
            @PropertyInject("wati.media.container-prefix") String containerPrefix,
            @PropertyInject("wati.media.default-owner-id") String defaultOwnerId) {
        return new MediaArchive(mediaStore(connectionString, dataDir, azuritePort, maxTries, tryTimeoutSeconds),
                new WatiAnswerInterpreter(), containerPrefix, defaultOwnerId, Path.of(dataDir, "tmp"));
    }
}
