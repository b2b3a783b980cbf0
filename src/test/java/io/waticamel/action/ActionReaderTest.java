package io.waticamel.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ActionReaderTest {

    final ActionReader reader = new ActionReader();

    ActionFields json(String text) {
        return reader.fromJson(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsStringsNumbersAndBooleansAsText() {
        ActionFields fields = json("{\"whatsappNumber\": 27821234567, \"task_id\": 7, \"x\": true, \"f\": 1.50, \"n\": null}");
        assertThat(fields.get("whatsappNumber")).isEqualTo("27821234567");
        assertThat(fields.taskId()).isEqualTo("7");
        assertThat(fields.get("x")).isEqualTo("true");
        assertThat(fields.get("f")).isEqualTo("1.50");
        assertThat(fields.asMap()).doesNotContainKey("n");
    }

    @Test
    void refusesWhatIsNotAFlatObject() {
        assertThatThrownBy(() -> json("[]")).hasMessage("Request body must be a JSON object of task fields");
        assertThatThrownBy(() -> json("\"x\"")).hasMessage("Request body must be a JSON object of task fields");
        assertThatThrownBy(() -> json("{\"a\": [1]}")).hasMessage("Field 'a' must be a string, number or boolean, not an array");
        assertThatThrownBy(() -> json("{\"a\": 1} {\"b\": 2}")).hasMessageStartingWith("Request body is not valid JSON");
        assertThatThrownBy(() -> json("{\"a\": 1, \"a\": 2}")).hasMessageStartingWith("Request body is not valid JSON");
        assertThatThrownBy(() -> json("")).hasMessageStartingWith("Request body is empty");
        assertThatThrownBy(() -> json("{\"a\": \"x\\u0000y\"}")).hasMessage("Field 'a' contains a NUL character");
    }

    @Test
    void invalidJsonMessageNeverQuotesTheRequest() {
        assertThatThrownBy(() -> json("{\"access_token\": \"SECRET123\" \"x\"}"))
                .hasMessageStartingWith("Request body is not valid JSON (line 1").hasMessageNotContaining("SECRET123");
    }

    @Test
    void fieldNamesInErrorsCannotSplitLines() {
        assertThatThrownBy(() -> json("{\"a\\r\\nb\": {}}")).hasMessage("Field 'a??b' must be a string, number or boolean, not an object");
    }

    @Test
    void bodiesOfEveryShapeGiveTheSameFields() {
        String json = "{\"wati_action\": \"send_session_message\", \"task_id\": 7}";
        assertThat(reader.read(json)).isEqualTo(Map.of("wati_action", "send_session_message", "task_id", "7"));
        assertThat(reader.read(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(reader.read(json));
        assertThat(reader.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)))).isEqualTo(reader.read(json));
        assertThat(reader.read(Map.of("wati_action", "send_session_message", "task_id", 7))).isEqualTo(reader.read(json));
    }

    @Test
    void emptyOrOtherBodiesAreRefusedWithAReason() {
        assertThatThrownBy(() -> reader.read(null)).hasMessage("Request body is empty: send a JSON object of task fields");
        assertThatThrownBy(() -> reader.read("  ")).hasMessage("Request body is empty: send a JSON object of task fields");
        assertThatThrownBy(() -> reader.read(42)).hasMessage("The task fields must be a JSON object or a Map, not Integer");
        assertThatThrownBy(() -> reader.read("{\"task_id\": \"x1\"}")).hasMessageStartingWith("Invalid task_id");
    }

    @Test
    void toStringHidesTheToken() {
        ActionFields fields = json("{\"access_token\": \"SECRET123\", \"wati_action\": \"x\"}");
        assertThat(fields.toString()).doesNotContain("SECRET123").contains("wati_action=x");
    }

    @Test
    void taskIdDefaultsToTheSeedsAndMustBeDigits() {
        assertThat(json("{}").taskId()).isEqualTo("23001");
        assertThatThrownBy(() -> json("{\"task_id\": \"1; drop\"}").requireValidTaskId()).hasMessageStartingWith("Invalid task_id");
    }
}
