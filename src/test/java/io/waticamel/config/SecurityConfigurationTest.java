package io.waticamel.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Named API keys from the properties file and -D (PackagedRuntimeIT runs the jar with -D and the environment). */
class SecurityConfigurationTest {

    @Test
    void namedKeysComeFromThePropertiesFileAndDBeatsIt() throws Exception {
        System.setProperty("wati.api-keys.erp", "erp-key-from-d");
        System.setProperty("wati.api-keys.cli", "cli-key-from-d");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("classpath:named-api-keys.properties");

            assertThat(SecurityConfiguration.configuredKeys(context)).containsEntry("crm", "crm-key-from-the-file")
                    .containsEntry("erp", "erp-key-from-d").containsEntry("cli", "cli-key-from-d");
        } finally {
            System.clearProperty("wati.api-keys.erp");
            System.clearProperty("wati.api-keys.cli");
        }
    }
}
