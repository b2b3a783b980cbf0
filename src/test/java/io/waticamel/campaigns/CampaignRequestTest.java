package io.waticamel.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.waticamel.action.ActionRejectedException;
import io.waticamel.campaigns.CampaignRequest.Mode;
import io.waticamel.campaigns.CampaignRequest.Recipient;
import org.junit.jupiter.api.Test;

class CampaignRequestTest {

    static CampaignRequest json(String text, int max) throws Exception {
        return CampaignRequest.fromJson(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
    }

    static CampaignRequest csv(String text) throws Exception {
        return CampaignRequest.fromCsv(Map.of("account", "main", "template_name", "t"), new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                10);
    }

    @Test
    void recipientsKeepTheirOrderTheirParametersInOrderAndNormalisedNumbers() throws Exception {
        CampaignRequest request = json("{\"account\":\"main\",\"template_name\":\" sale \",\"recipients\":["
                + "{\"whatsappNumber\":\"+27 82 123 4567\",\"parameters\":{\"b\":\"2\",\"a\":\"1\"}},"
                + "{\"whatsappNumber\":\"0027821234568\",\"parameters\":{\"n\":7}}]}", 10);
        assertThat(request.templateName()).isEqualTo("sale");
        assertThat(request.broadcastName()).isEqualTo("sale");
        assertThat(request.mode()).isEqualTo(Mode.BULK);
        assertThat(request.recipients()).extracting(Recipient::number).containsExactly("27821234567", "27821234568");
        assertThat(request.recipients().get(0).parameters().keySet()).containsExactly("b", "a");
        assertThat(request.recipients().get(1).parameters()).containsEntry("n", "7");
        assertThat(request.recipients()).allMatch(r -> r.skipReason() == null);
    }

    @Test
    void aBadRecipientIsSkippedWithItsReasonAndTheOthersStay() throws Exception {
        CampaignRequest request = json("{\"account\":\"main\",\"template_name\":\"t\",\"mode\":\"SINGLE\",\"recipients\":["
                + "{\"whatsappNumber\":\"27821234567\"},{\"whatsappNumber\":\"abc\"},{},{\"whatsappNumber\":\"27821234567\"},"
                + "{\"whatsappNumber\":\"27821234569\",\"parameters\":{\"x\":\" \"}},{\"whatsappNumber\":\"27821234560\",\"parameters\":[1]},"
                + "{\"whatsappNumber\":\"27821234561\",\"parameters\":{\"\":\"v\"}}]}", 10);
        assertThat(request.mode()).isEqualTo(Mode.SINGLE);
        assertThat(request.recipients()).extracting(Recipient::skipReason).containsExactly(null, "Invalid whatsappNumber: give the country code and number, 7 to 15 digits (e.g. 447700900123)",
                "No whatsappNumber provided", "Same number as recipient 1", "Parameter 'x' has no value",
                "parameters must be an object of name: value", "A parameter name is blank or longer than 256 characters");
    }

    @Test
    void wholeRequestProblemsAreRefused() {
        assertThatThrownBy(() -> json("[]", 10)).hasMessage("Send the campaign as a JSON object");
        assertThatThrownBy(() -> json("{\"template_name\":\"t\"}", 10)).hasMessageStartingWith("No recipients provided");
        assertThatThrownBy(() -> json("{\"template_name\":\"t\",\"recipients\":{}}", 10)).hasMessageStartingWith("recipients must be a JSON array");
        assertThatThrownBy(() -> json("{\"template_name\":{\"a\":1},\"recipients\":[]}", 10)).hasMessage("template_name must be a string");
        assertThatThrownBy(() -> json("{\"template_name\":\"t\",\"recipients\":[1]}", 10)).hasMessage("recipients[0] is not an object");
        assertThatThrownBy(() -> json("{\"template_name\":\"t\",\"recipients\":[]} {}", 10)).hasMessage("Only one JSON object is expected");
        assertThatThrownBy(() -> json("{\"template_name\":\"t\",\"recipients\":[{},{},{}]}", 2))
                .isInstanceOfSatisfying(ActionRejectedException.class, e -> assertThat(e.httpStatus()).isEqualTo(413));
        assertThatThrownBy(() -> json("{\"template_name\":\"" + "t".repeat(513) + "\",\"recipients\":[{}]}", 10))
                .hasMessageContaining("at most 512 characters");
    }

    @Test
    void aCsvTakesItsHeaderQuotesAndRaggedLines() throws Exception {
        CampaignRequest request = csv("WhatsAppNumber,first name,note\n27821234567,\"Smith, Ann\",\"says \"\"hi\"\"\"\n\n27821234568,Bob\n");
        assertThat(request.recipients()).hasSize(2);
        assertThat(request.recipients().get(0).parameters()).containsExactly(Map.entry("first name", "Smith, Ann"), Map.entry("note", "says \"hi\""));
        assertThat(request.recipients().get(1).skipReason()).isEqualTo("Line 2 has 2 columns, the header 3");
        assertThatThrownBy(() -> csv("number\n27821234567\n")).hasMessage("The CSV header has no whatsappNumber column");
        assertThatThrownBy(() -> CampaignRequest.fromCsv(Map.of("template_name", "t"), new ByteArrayInputStream(new byte[] {'w', 'h', 'a', 't',
                's', 'a', 'p', 'p', 'N', 'u', 'm', 'b', 'e', 'r', '\n', (byte) 0xff, '\n'}), 10)).hasMessage("The CSV is not UTF-8 text");
    }

    @Test
    void aRecipientsTimeZoneIsKeptCheckedAndNeverATemplateParameter() throws Exception {
        CampaignRequest request = json("{\"template_name\":\"t\",\"recipients\":[{\"whatsappNumber\":\"27821234567\",\"time_zone\":\" Asia/Tokyo \"},"
                + "{\"whatsappNumber\":\"27821234568\",\"time_zone\":\"Mars/Olympus\"},{\"whatsappNumber\":\"27821234569\",\"time_zone\":\"\"},"
                + "{\"whatsappNumber\":\"27821234560\",\"time_zone\":\"+05:30\"}]}", 10);
        assertThat(request.recipients()).extracting(Recipient::timeZone).containsExactly("Asia/Tokyo", "Mars/Olympus", null, "+05:30");
        assertThat(request.recipients().get(1).skipReason()).startsWith("Unknown time zone 'Mars/Olympus'");
        assertThat(request.recipients()).extracting(Recipient::skipReason).containsExactly(null, request.recipients().get(1).skipReason(), null, null);

        CampaignRequest fromCsv = csv("whatsappNumber,Time_Zone,name\n27821234567,America/New_York,Ann\n27821234568,,Bob\n27821234569,Nowhere,Cy\n");
        assertThat(fromCsv.recipients()).extracting(Recipient::timeZone).containsExactly("America/New_York", null, "Nowhere");
        assertThat(fromCsv.recipients()).allSatisfy(r -> assertThat(r.parameters()).containsOnlyKeys("name"));
        assertThat(fromCsv.recipients().get(2).skipReason()).startsWith("Unknown time zone 'Nowhere'");
    }

    @Test
    void theScheduleSettingsAreTakenFromJsonAndCsv() throws Exception {
        CampaignRequest request = json("{\"template_name\":\"t\",\"send_at\":\"2026-12-01T09:00:00+02:00\",\"quiet_hours\":\"21:00-08:00\","
                + "\"time_zone\":\"Africa/Johannesburg\",\"recipients\":[{\"whatsappNumber\":\"27821234567\"}]}", 10);
        assertThat(request.settings()).containsEntry("send_at", "2026-12-01T09:00:00+02:00").containsEntry("quiet_hours", "21:00-08:00")
                .containsEntry("time_zone", "Africa/Johannesburg");
        CampaignRequest fromCsv = CampaignRequest.fromCsv(Map.of("template_name", "t", "send_at", "2026-12-01T07:00:00Z"),
                new ByteArrayInputStream("whatsappNumber\n27821234567\n".getBytes(StandardCharsets.UTF_8)), 10);
        assertThat(fromCsv.settings()).containsEntry("send_at", "2026-12-01T07:00:00Z");
    }
}
