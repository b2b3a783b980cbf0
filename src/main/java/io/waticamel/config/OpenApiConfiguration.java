package io.waticamel.config;

import io.waticamel.openapi.OpenApiDocument;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

/** The OpenAPI document of the HTTP API (bean {@code openApiDocument}, route openapi.camel.yaml). */
public class OpenApiConfiguration implements CamelConfiguration {

    @BindToRegistry
    public OpenApiDocument openApiDocument() {
        return new OpenApiDocument(ActionPipelineConfiguration.version());
    }
}
