package io.waticamel.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretMaskingTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http-outgoing-0 >> Authorization: Bearer abc.DEF-123 | http-outgoing-0 >> Authorization: Bearer ******",
        "{\"access_token\": \"abc123\", \"x\": 1} | {\"access_token\": \"******\", \"x\": 1}",
        "headers={access_token=abc123, wati_action=x} | headers={access_token=******, wati_action=x}",
        "X-API-Key: k-123456 | X-API-Key: ******",
        "Found property: wati.api-key with value: k-123456 to be used. | Found property: wati.api-key with value: ****** to be used.",
        "Resolved text: {{wati.accounts.main.token}} -> t0k3n | Resolved text: {{wati.accounts.main.token}} -> ******",
        "Property (name: wati.api-key default: null) resolved from source: OverrideProperties -> k-1234 | Property (name: wati.api-key default: null) resolved from source: OverrideProperties -> ******",
        "lookup(name: wati.secret-key default: null) -> abc/def= | lookup(name: wati.secret-key default: null) -> ******",
        "POST /123/api/v1/sendSessionMessage/27821234567?messageText=hi | POST /123/api/v1/sendSessionMessage/********567?messageText=hi",
        "sendTemplateMessage?whatsappNumber=27821234567 | sendTemplateMessage?whatsappNumber=********567",
        "{\"eventType\":\"message\",\"waId\":\"27821234567\"} | {\"eventType\":\"message\",\"waId\":\"********567\"}",
        "GET /api/v1/opt-outs/27821234567?account=main | GET /api/v1/opt-outs/********567?account=main",
        "GET /api/v1/messages?number=27821234567 | GET /api/v1/messages?number=********567",
        "GET /api/v1/messages?number=%2B27821234567 | GET /api/v1/messages?number=%2B********567",
        "{whatsappNumber=+27821234567} | {whatsappNumber=+********567}",
        "nothing secret here 27821234567 | nothing secret here 27821234567",
    })
    void masksSecretsInTheShapesTheyTravelIn(String text, String masked) {
        assertThat(SecretMasking.mask(text)).isEqualTo(masked);
    }

    @org.junit.jupiter.api.Test
    void registeredSecretsAreMaskedWhereverTheyAppear() {
        SecretMasking.register("configured-key-998877");
        assertThat(SecretMasking.mask("oops configured-key-998877 in a message")).isEqualTo("oops ****** in a message");
    }
}
