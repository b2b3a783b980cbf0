package io.waticamel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.testing.CapturedLog;
import io.waticamel.testing.RunningRuntime;
import io.waticamel.testing.TestAzurite;
import org.junit.jupiter.api.Test;

/**
 * The README's "Try it in five minutes", run as written: the sh block between the try-it markers,
 * with bash -euo pipefail, against the runtime started with the sandbox on (the block's API and KEY
 * point at it instead of localhost:8080 and data/api-key). Its output is checked step by step, so a
 * README that drifts from what the runtime does fails here.
 */
class SandboxTryItTest {

    private static final Pattern BLOCK = Pattern.compile("<!-- try-it:start -->\\s*```sh\\n(.*?)```\\s*<!-- try-it:end -->", Pattern.DOTALL);
    private static final Pattern STEP = Pattern.compile("(?m)^--- (\\d+)\\. ");
    private final ObjectMapper mapper = new ObjectMapper();

    /** The README's try-it script. */
    static String script() throws Exception {
        Matcher m = BLOCK.matcher(Files.readString(Path.of("README.md")));
        assertThat(m.find()).as("README.md has a ```sh block between <!-- try-it:start --> and <!-- try-it:end -->").isTrue();
        return m.group(1);
    }

    @Test
    void theReadmeWalkthroughRunsAsWritten() throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("wati.sandbox.enabled", "true");
        properties.put("wati.azure.connection-string", TestAzurite.connectionString());
        // as shipped: the request-URL guard on, the template checks on, the default retries
        properties.put("wati.request-urls.allow-private-hosts", "false");
        properties.put("wati.templates.validate", "true");
        properties.put("wati.templates.refresh-interval", "15m");
        properties.put("wati.retry.max-attempts", "4");
        String output;
        try (CapturedLog log = new CapturedLog(); RunningRuntime runtime = new RunningRuntime(properties)) {
            ProcessBuilder bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script()).redirectErrorStream(true)
                    .directory(runtime.dataDir().toFile());
            bash.environment().put("API", runtime.url(""));
            bash.environment().put("KEY", RunningRuntime.API_KEY);
            Process process = bash.start();
            boolean ended = process.waitFor(180, TimeUnit.SECONDS);
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println("---- the README's try-it output\n" + output + "---- end");
            assertThat(ended).as("the script ended within 3 minutes:\n" + output).isTrue();
            assertThat(process.exitValue()).as("bash -euo pipefail exit status; output:\n" + output).isZero();
            // quiet: one INFO line says the sandbox is on, never with its token
            assertThat(log.toString()).containsOnlyOnce("WATI sandbox on").doesNotContain("wati_sandbox_");
        }
        Map<Integer, String> steps = steps(output);
        assertThat(steps).containsKeys(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

        JsonNode sandbox = json(steps.get(1));
        assertThat(sandbox.get("account").asText()).isEqualTo("sandbox");
        assertThat(sandbox.get("endpoint").asText()).matches("http://127\\.0\\.0\\.1:\\d+/sandbox");
        assertThat(steps.get(1)).doesNotContain("wati_sandbox_").endsWith(" HTTP 200");

        for (int step : new int[] {2, 3, 4, 5}) {
            assertThat(steps.get(step)).as("step " + step).contains("\"task_23001_run\":true").endsWith(" HTTP 200");
        }
        assertThat(json(steps.get(5)).path("task_23001_run_text").asText()).isEqualTo("Successfully sent file.");

        // 6: the refusal armed (201), then what the caller sees: WATI's reason, 502
        assertThat(steps.get(6)).contains("\"refusal\":\"ticket_expired\"").contains(" HTTP 201")
                .contains("\"task_23001_run\":false").contains("Ticket has been expired.").endsWith(" HTTP 502");
        // 7: two 429s, then the third attempt goes out
        assertThat(steps.get(7)).contains(" HTTP 201").contains("\"task_23001_run\":true").endsWith(" HTTP 200");

        // 8-9: the customer's events went through the webhook and were processed; the photo is archived
        JsonNode message = json(steps.get(8));
        assertThat(message.get("webhook_status").asInt()).isEqualTo(200);
        assertThat(message.get("state").asText()).isEqualTo("processed");
        JsonNode media = json(steps.get(9).lines().findFirst().orElseThrow());
        assertThat(media.get("state").asText()).isEqualTo("processed");
        String fileId = media.get("file_id").asText();
        assertThat(fileId).isNotBlank().isNotEqualTo("null");
        JsonNode files = json(steps.get(9).lines().skip(1).findFirst().orElseThrow());
        assertThat(files.get("files")).anySatisfy(f -> {
            assertThat(f.get("id").asText()).isEqualTo(fileId);
            assertThat(f.get("owner_id").asText()).isEqualTo("sandbox");
            assertThat(f.get("contentType").asText()).isEqualTo("image/jpeg");
        });

        // 10: STOP, then the next template is refused before WATI: 403
        assertThat(json(steps.get(10).lines().findFirst().orElseThrow()).get("state").asText()).isEqualTo("processed");
        assertThat(steps.get(10)).contains("has opted out").endsWith(" HTTP 403");

        // 11: what WATI received, in order: the sends, the refusals, the retries, the media download; no token
        JsonNode requests = json(steps.get(11)).get("requests");
        assertThat(requests).extracting(r -> r.get("operation").asText()).containsSubsequence("sendSessionMessage", "getMessageTemplates",
                "sendTemplateMessage", "updateContactAttributes", "sendSessionFile", "sendSessionMessage", "sendTemplateMessage",
                "sendTemplateMessage", "sendTemplateMessage", "getMedia");
        assertThat(requests).filteredOn(r -> r.get("operation").asText().equals("sendTemplateMessage"))
                .extracting(r -> r.get("status").asInt()).containsExactly(200, 429, 429, 200);
        assertThat(requests).filteredOn(r -> "ticket_expired".equals(r.get("refusal").asText(null))).hasSize(1);
        assertThat(requests).filteredOn(r -> r.get("operation").asText().equals("sendSessionFile")).singleElement()
                .satisfies(r -> assertThat(r.at("/body/file/name").asText()).isEqualTo("invoice-17.pdf"));
        assertThat(steps.get(11)).doesNotContain("wati_sandbox_").doesNotContain("Bearer");
    }

    /** The output after each "--- N. title" line, its first line (the title) dropped, trimmed. */
    static Map<Integer, String> steps(String output) {
        Map<Integer, String> steps = new LinkedHashMap<>();
        Matcher m = STEP.matcher(output);
        int number = -1;
        int from = 0;
        while (m.find()) {
            if (number >= 0) {
                steps.put(number, body(output.substring(from, m.start())));
            }
            number = Integer.parseInt(m.group(1));
            from = m.start();
        }
        if (number >= 0) {
            steps.put(number, body(output.substring(from)));
        }
        return steps;
    }

    private static String body(String step) {
        int newline = step.indexOf('\n');
        return newline < 0 ? "" : step.substring(newline + 1).strip();
    }

    /** A line's JSON (the " HTTP nnn" curl adds removed). */
    private JsonNode json(String line) throws Exception {
        return mapper.readTree(line.lines().findFirst().orElseThrow().replaceAll(" HTTP \\d{3}$", ""));
    }
}
