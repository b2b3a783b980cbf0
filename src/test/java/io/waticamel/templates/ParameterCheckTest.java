package io.waticamel.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ParameterCheckTest {

    final List<String> expected = List.of("customer_name", "order_number");

    @Test
    void theSameNamesInAnyOrderMatch() {
        assertThat(ParameterCheck.mismatch(expected, List.of("order_number", "customer_name"))).isNull();
        assertThat(ParameterCheck.mismatch(List.of(), List.of())).isNull();
    }

    @Test
    void missingAndUnexpectedNamesAreEachNamed() {
        assertThat(ParameterCheck.mismatch(expected, List.of("customer_name"))).isEqualTo("missing 'order_number'");
        assertThat(ParameterCheck.mismatch(expected, List.of("customer_name", "order_number", "coupon")))
                .isEqualTo("unexpected 'coupon'");
        assertThat(ParameterCheck.mismatch(expected, List.of("name", "order_number"))).isEqualTo("missing 'customer_name'; unexpected 'name'");
    }

    @Test
    void aNameThatDiffersOnlyInCaseIsSaidToBeOne() {
        assertThat(ParameterCheck.mismatch(expected, List.of("Customer_Name", "order_number")))
                .isEqualTo("missing 'customer_name'; unexpected 'Customer_Name' (names are case-sensitive: 'Customer_Name' should be 'customer_name')");
    }
}
