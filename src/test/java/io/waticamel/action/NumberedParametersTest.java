package io.waticamel.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.waticamel.action.NumberedParameters.Parameter;
import org.junit.jupiter.api.Test;

class NumberedParametersTest {

    static ActionFields fields(Map<String, String> map) {
        return new ActionFields(map);
    }

    @Test
    void ordersByNumberNotAsText() {
        Map<String, String> map = new HashMap<>();
        for (int n : new int[] {10, 2, 11, 1, 9}) {
            map.put("parameter_name_" + n, "n" + n);
            map.put("parameter_value_" + n, "v" + n);
        }
        assertThat(NumberedParameters.collect(fields(map), false)).extracting(Parameter::name)
                .containsExactly("n1", "n2", "n9", "n10", "n11");
    }

    @Test
    void skipsNumbersWithoutANameAndKeepsGaps() {
        List<Parameter> parameters = NumberedParameters.collect(fields(Map.of("parameter_name_3", "c", "parameter_value_3", "3",
                "parameter_name_1", " a ", "parameter_value_1", "1", "parameter_name_2", "  ")), false);
        assertThat(parameters).containsExactly(new Parameter("a", "1"), new Parameter("c", "3"));
    }

    @Test
    void emptyTemplateValueIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> NumberedParameters.collect(fields(Map.of("parameter_name_4", "order", "parameter_value_4", " ")), false))
                .hasMessage("Parameter 'order' (parameter_value_4) has no value: WATI refuses blank template parameters");
        assertThatThrownBy(() -> NumberedParameters.collect(fields(Map.of("parameter_name_4", "order")), false))
                .hasMessageContaining("parameter_value_4");
    }

    @Test
    void emptyContactValueIsAllowedToClearAnAttribute() {
        assertThat(NumberedParameters.collect(fields(Map.of("parameter_name_1", "city", "parameter_value_1", "")), true))
                .containsExactly(new Parameter("city", ""));
    }

    @Test
    void valueWithoutNameIsRefusedRatherThanDropped() {
        assertThatThrownBy(() -> NumberedParameters.collect(fields(Map.of("parameter_value_2", "x")), true))
                .hasMessage("parameter_value_2 has no parameter_name_2");
    }

    @Test
    void atMostAHundredPairs() {
        Map<String, String> map = new HashMap<>();
        for (int n = 1; n <= 101; n++) {
            map.put("parameter_name_" + n, "n" + n);
            map.put("parameter_value_" + n, "v");
        }
        assertThatThrownBy(() -> NumberedParameters.collect(fields(map), false)).hasMessageStartingWith("Too many parameters");
    }

    @Test
    void valuesKeepTheirCharactersExactly() {
        assertThat(NumberedParameters.collect(fields(Map.of("parameter_name_1", "x", "parameter_value_1", " Ann & \"Co\" \uD83D\uDE00 ")), false))
                .containsExactly(new Parameter("x", " Ann & \"Co\" \uD83D\uDE00 "));
    }
}
