package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.fasterxml.jackson.databind.JsonNode;
import io.waticamel.testing.GeneratedBytes;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.TestAzurite;
import io.waticamel.testing.WatiDouble;
import io.waticamel.testing.WatiDouble.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * get_media and the files API against real Azurite and a real database; run once per database
 * (H2 and PostgreSQL) by the subclasses, with the WATI double serving media.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MediaArchiveContract {

    static final String TOKEN = "media-token-4d2a91";
    /** Two more callers besides the test key ("default"): another one, and an admin (wati.api-admins). */
    static final Map<String, String> KEYS = Map.of("wati.api-keys.other", "other-api-key-1f7e2a", "wati.api-keys.ops", "ops-api-key-8c3d5b");
    WatiDouble wati;
    RunningRuntime runtime;
    BlobServiceClient blobs;
    String connectionString;

    /** wati.db.url / user / password of the database under test. */
    abstract Map<String, String> database() throws Exception;

    @BeforeAll
    void start() throws Exception {
        wati = new WatiDouble();
        connectionString = TestAzurite.connectionString();
        blobs = new BlobServiceClientBuilder().connectionString(connectionString).buildClient();
        Map<String, String> properties = new LinkedHashMap<>(database());
        properties.put("wati.azure.connection-string", connectionString);
        properties.put("wati.media.default-owner-id", "org-default");
        properties.put("wati.api-admins", "ops");
        properties.putAll(KEYS);
        runtime = new RunningRuntime(properties);
    }

    @AfterAll
    void stop() throws Exception {
        runtime.close();
        wati.close();
    }

    @BeforeEach
    void reset() {
        wati.reset();
    }

    /** The double answers media only with the right Bearer token, like WATI. */
    void serveMedia(Answer media) {
        wati.answer(r -> ("Bearer " + TOKEN).equals(r.header("Authorization")) ? media : new Answer(401, Map.of(), new byte[0]));
    }

    Map<String, Object> getMedia(String fileName, String owner) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("wati_action", "get_media");
        task.put("api_endpoint", wati.url() + "/123456");
        task.put("access_token", TOKEN);
        task.put("file_url", wati.url() + "/api/file/showFile?fileName=" + fileName);
        if (owner != null) {
            task.put("owner_id", owner);
        }
        return task;
    }

    List<String> blobNames(String container) {
        if (!blobs.getBlobContainerClient(container).exists()) {
            return List.of();
        }
        return blobs.getBlobContainerClient(container).listBlobs().stream().map(BlobItem::getName).toList();
    }

    RunningRuntime.Response getJson(String path) throws Exception {
        return getJson(RunningRuntime.API_KEY, path);
    }

    RunningRuntime.Response getJson(String apiKey, String path) throws Exception {
        return runtime.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url(path)))
                .header("X-API-Key", apiKey).GET().build());
    }

    @Test
    void storesTheExactBytesInTheOwnersContainerAndRecordsThem() throws Exception {
        long size = 3_000_001;
        serveMedia(Answer.streamed("image/jpeg", size, () -> new GeneratedBytes(1, size)));

        RunningRuntime.Response response = runtime.postAction(getMedia("data/images/9f8e-photo.jpg", "Org-42"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.runText()).isEqualTo("Successfully fetched media.");
        JsonNode file = response.response();
        assertThat(file.fieldNames()).toIterable().containsExactly("id", "owner_id", "file_url", "file_name", "size", "contentType");
        assertThat(file.get("owner_id").asText()).isEqualTo("org-42");
        assertThat(file.get("file_name").asText()).isEqualTo("basecloud_wa_9f8e-photo.jpg");
        assertThat(file.get("size").asLong()).isEqualTo(size);
        assertThat(file.get("contentType").asText()).isEqualTo("image/jpeg");
        String blobName = file.get("id").asText() + "-basecloud_wa_9f8e-photo.jpg";
        assertThat(file.get("file_url").asText()).endsWith("/wati-media-org-42/" + blobName);
        var blob = blobs.getBlobContainerClient("wati-media-org-42").getBlobClient(blobName);
        assertThat(blob.getProperties().getBlobSize()).isEqualTo(size);
        assertThat(blob.getProperties().getContentType()).isEqualTo("image/jpeg");
        assertThat(GeneratedBytes.sha256(blob.openInputStream())).isEqualTo(GeneratedBytes.sha256(new GeneratedBytes(1, size)));
        WatiDouble.Recorded request = wati.onlyRequest();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.rawPath() + "?" + request.rawQuery()).isEqualTo("/api/file/showFile?fileName=data/images/9f8e-photo.jpg");

        RunningRuntime.Response record = getJson("/api/v1/files/" + file.get("id").asText());
        assertThat(record.status()).isEqualTo(200);
        assertThat(record.json().get("file_url").asText()).isEqualTo(file.get("file_url").asText());
        assertThat(record.json().get("size").asLong()).isEqualTo(size);
        assertThat(record.json().get("source_file_name").asText()).isEqualTo("9f8e-photo.jpg");
        assertThat(record.json().get("created_at").asText()).endsWith("Z");
        assertThat(record.body()).doesNotContain(TOKEN);
    }

    @Test
    void theSameWatiFileTwiceKeepsBothBlobs() throws Exception {
        serveMedia(Answer.bytes(200, "application/pdf", "%PDF-1.4 same".getBytes()));

        // one Azurite serves every test class: an owner of this run only
        String owner = "twice-" + Long.toString(System.nanoTime(), 36);
        String first = runtime.postAction(getMedia("data/documents/report.pdf", owner)).response().get("id").asText();
        String second = runtime.postAction(getMedia("data/documents/report.pdf", owner)).response().get("id").asText();

        assertThat(first).isNotEqualTo(second);
        assertThat(blobNames("wati-media-" + owner)).containsExactlyInAnyOrder(first + "-basecloud_wa_report.pdf",
                second + "-basecloud_wa_report.pdf");
        RunningRuntime.Response list = getJson("/api/v1/files?owner_id=" + owner + "&size=1");
        assertThat(list.json().get("files")).hasSize(1);
        assertThat(list.json().get("files").get(0).get("id").asText()).isEqualTo(second);
        RunningRuntime.Response page2 = getJson("/api/v1/files?owner_id=" + owner + "&size=1&page=1");
        assertThat(page2.json().get("files").get(0).get("id").asText()).isEqualTo(first);
    }

    @Test
    void aFileIsShownToItsCallerAndTheAdminsOnly() throws Exception {
        serveMedia(Answer.bytes(200, "image/png", new byte[] {4, 2}));
        String owner = "callers-" + Long.toString(System.nanoTime(), 36);
        String id = runtime.postAction(getMedia("data/images/mine.png", owner)).response().get("id").asText();
        String other = KEYS.get("wati.api-keys.other");
        String admin = KEYS.get("wati.api-keys.ops");

        assertThat(getJson(other, "/api/v1/files/" + id).status()).isEqualTo(404);
        assertThat(getJson(other, "/api/v1/files?owner_id=" + owner).json().get("files")).isEmpty();
        assertThat(getJson("/api/v1/files?owner_id=" + owner).json().get("files")).hasSize(1);
        RunningRuntime.Response asAdmin = getJson(admin, "/api/v1/files/" + id);
        assertThat(asAdmin.status()).isEqualTo(200);
        assertThat(asAdmin.json().get("caller").asText()).isEqualTo("default");
        assertThat(getJson(admin, "/api/v1/files?owner_id=" + owner).json().get("files").get(0).get("id").asText()).isEqualTo(id);
    }

    @Test
    void fileUrlWithoutFileNameIsRefusedWithTheSeedsText() throws Exception {
        Map<String, Object> task = getMedia("x.jpg", "o1");
        task.put("file_url", wati.url() + "/api/file/showFile?name=x.jpg");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.runText()).isEqualTo("Invalid filepath within URL");
        assertThat(wati.requests()).isEmpty();
    }

    @Test
    void fileUrlOnAnotherOriginNeverGetsTheToken() throws Exception {
        try (WatiDouble other = new WatiDouble()) {
            Map<String, Object> task = getMedia("x.jpg", "o1");
            task.put("file_url", other.url() + "/api/file/showFile?fileName=data/images/x.jpg");

            RunningRuntime.Response response = runtime.postAction(task);

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.runText()).startsWith("file_url must be on the WATI endpoint's origin");
            assertThat(other.requests()).isEmpty();
            assertThat(wati.requests()).isEmpty();
        }
    }

    @Test
    void aRedirectToACdnIsFollowedWithoutTheToken() throws Exception {
        try (WatiDouble cdn = new WatiDouble()) {
            cdn.answer(Answer.bytes(200, "application/octet-stream", "OggS voice".getBytes()));
            wati.answer(r -> new Answer(302, Map.of("Location", cdn.url() + "/media/voice.ogg?sig=1"), new byte[0]));

            RunningRuntime.Response response = runtime.postAction(getMedia("data/audios/voice.ogg", "cdn"));

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.response().get("contentType").asText()).isEqualTo("audio/ogg");
            assertThat(wati.onlyRequest().header("Authorization")).isEqualTo("Bearer " + TOKEN);
            assertThat(cdn.onlyRequest().header("Authorization")).isNull();
        }
    }

    @Test
    void watiNotFoundIsRunFalseWithStatusAndNoRow() throws Exception {
        wati.answer(Answer.json(404, "{\"message\":\"File not found\"}"));

        RunningRuntime.Response response = runtime.postAction(getMedia("data/images/gone.jpg", "missing"));

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.run()).isFalse();
        assertThat(response.runText()).isEqualTo("WATI answered HTTP 404: File not found");
        assertThat(response.response().get("message").asText()).isEqualTo("File not found");
        assertThat(getJson("/api/v1/files?owner_id=missing").json().get("files")).isEmpty();
        assertThat(blobNames("wati-media-missing")).isEmpty();
    }

    @Test
    void watiUnauthorizedIsRunFalse() throws Exception {
        serveMedia(Answer.bytes(200, "image/png", new byte[] {1}));
        Map<String, Object> task = getMedia("data/images/a.png", "o1");
        task.put("access_token", "wrong-token");

        RunningRuntime.Response response = runtime.postAction(task);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.runText()).isEqualTo("WATI answered HTTP 401");
    }

    @Test
    void ownerDefaultsFromConfigurationAndIsValidated() throws Exception {
        serveMedia(Answer.bytes(200, "image/png", new byte[] {1, 2, 3}));

        RunningRuntime.Response defaulted = runtime.postAction(getMedia("data/images/a.png", null));
        RunningRuntime.Response invalid = runtime.postAction(getMedia("data/images/a.png", "../etc"));

        assertThat(defaulted.response().get("owner_id").asText()).isEqualTo("org-default");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.runText()).startsWith("Invalid owner_id");
    }

    @Test
    void hostileFileNamesAreSanitised() throws Exception {
        serveMedia(Answer.bytes(200, "application/pdf", new byte[] {1}));

        RunningRuntime.Response response = runtime.postAction(getMedia("data/../../etc/pa%2Fss%20wd..pdf", "names"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.response().get("file_name").asText()).isEqualTo("basecloud_wa_ss_wd.pdf");
    }

    @Test
    void filesApiAnswers404ForAnUnknownIdAnd400WithoutOwner() throws Exception {
        assertThat(getJson("/api/v1/files/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
        assertThat(getJson("/api/v1/files/..%2F..%2Fetc").status()).isEqualTo(404);
        assertThat(getJson("/api/v1/files").status()).isEqualTo(400);
        assertThat(getJson("/api/v1/files?owner_id=x&size=100000").status()).isEqualTo(400);
        assertThat(runtime.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url("/api/v1/files?owner_id=x")))
                .GET().build()).status()).isEqualTo(401);
    }

    @Test
    void aRowThatCannotBeWrittenRemovesTheBlob() throws Exception {
        serveMedia(Answer.bytes(200, "image/png", new byte[] {9, 9, 9}));
        String owner = "norow-" + Long.toString(System.nanoTime(), 36);
        javax.sql.DataSource db = runtime.context().getRegistry().lookupByNameAndType("watiDataSource", javax.sql.DataSource.class);
        try (var connection = db.getConnection(); var statement = connection.createStatement()) {
            statement.execute("ALTER TABLE files RENAME TO files_moved_away");
        }
        RunningRuntime.Response response;
        try {
            response = runtime.postAction(getMedia("data/images/a.png", owner));
        } finally {
            try (var connection = db.getConnection(); var statement = connection.createStatement()) {
                statement.execute("ALTER TABLE files_moved_away RENAME TO files");
            }
        }

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.runText()).isEqualTo("Media could not be recorded in the files table; the stored blob was removed");
        assertThat(blobNames("wati-media-" + owner)).isEmpty();
        assertThat(getJson("/api/v1/files?owner_id=" + owner).json().get("files")).isEmpty();
    }

    @Test
    void storageDownMeansRunFalseAndNoRow() throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(database());
        properties.put("wati.azure.connection-string",
                io.waticamel.media.AzuriteDevService.connectionString(RunningRuntime.freePort()));
        properties.put("wati.azure.max-tries", "1");
        serveMedia(Answer.bytes(200, "image/png", new byte[] {1, 2, 3}));
        try (RunningRuntime down = new RunningRuntime(properties)) {
            RunningRuntime.Response response = down.postAction(getMedia("data/images/a.png", "storage-down"));

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.runText()).startsWith("Media could not be stored in Azure Blob Storage");
        }
        assertThat(getJson("/api/v1/files?owner_id=storage-down").json().get("files")).isEmpty();
    }
}
