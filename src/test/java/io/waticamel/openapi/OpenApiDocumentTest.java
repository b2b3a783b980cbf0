package io.waticamel.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.rest.RestParamType;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {

    final ObjectMapper mapper = new ObjectMapper();

    ObjectNode json(String text) throws Exception {
        return (ObjectNode) mapper.readTree(text.replace('\'', '"'));
    }

    @Test
    void mergesAsAJsonMergePatch() throws Exception {
        // RFC 7386's own example
        ObjectNode target = json("{'title':'Goodbye!','author':{'givenName':'John','familyName':'Doe'},'tags':['example','sample'],"
                + "'content':'This will be unchanged'}");
        OpenApiDocument.merge(target, json("{'title':'Hello!','phoneNumber':'+01-123-456-7890','author':{'familyName':null},'tags':['example']}"));
        assertThat(target).isEqualTo(json("{'title':'Hello!','author':{'givenName':'John'},'tags':['example'],"
                + "'content':'This will be unchanged','phoneNumber':'+01-123-456-7890'}"));
    }

    @Test
    void replacesASchemaRefThePatchRemoves() throws Exception {
        ObjectNode target = json("{'schema':{'$ref':'#/components/schemas/CampaignRequest'}}");
        OpenApiDocument.merge(target, json("{'schema':{'$ref':null,'type':'string'}}"));
        assertThat(target).isEqualTo(json("{'schema':{'type':'string'}}"));
    }

    @Test
    void givesTheServers401ToEveryOperationThatKeepsTheApiKey() throws Exception {
        ObjectNode document = json("{'paths':{'/v1/a':{'get':{'responses':{'200':{'description':'ok'}}},'parameters':[]},"
                + "'/v1/b':{'post':{}}}}");
        OpenApiDocument.complete(document, json("{'security':[{'ApiKey':[]}],'paths':{'/hook':{'post':{'security':[],"
                + "'responses':{'200':{'description':'ok'}}}}}}"));
        assertThat(document.at("/paths/~1v1~1a/get/responses/401/$ref").asText()).isEqualTo(OpenApiDocument.UNAUTHORIZED);
        assertThat(document.at("/paths/~1v1~1a/get/responses/200/description").asText()).isEqualTo("ok");
        assertThat(document.at("/paths/~1v1~1b/post/responses/401/$ref").asText()).isEqualTo(OpenApiDocument.UNAUTHORIZED);
        assertThat(document.at("/paths/~1hook/post/responses").has("401")).isFalse();
        assertThat(document.at("/paths/~1v1~1a/parameters").isArray()).isTrue();
    }

    /** A REST DSL verb with one documented answer, whose schema is {@code model}. */
    static CamelContext restOf(String model) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getRestConfiguration().setContextPath("/api");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                rest("/v1/things").get("/{id}").id("get-thing-rest").description("One thing").param().name("id").type(RestParamType.path)
                        .description("The thing's id").endParam().responseMessage().code(404).message("No such thing")
                        .endResponseMessage().to("direct:thing");
                // by name, as a YAML route file gives it
                getRestCollection().getRests().get(0).getVerbs().get(0).getResponseMsgs().get(0).setResponseModel(model);
                from("direct:thing").routeId("thing").log("thing");
            }
        });
        return context;
    }

    @Test
    void documentsTheRestDslWithItsSchemasTheApiKeyAndTheVersion() throws Exception {
        try (CamelContext context = restOf(ApiSchemas.Error.class.getName())) {
            JsonNode document = new OpenApiDocument("1.2.3").document(context);
            assertThat(document.at("/info/version").asText()).isEqualTo("1.2.3");
            assertThat(document.at("/servers/0/url").asText()).isEqualTo("/api");
            JsonNode operation = document.at("/paths/~1v1~1things~1{id}/get");
            assertThat(operation.path("operationId").asText()).isEqualTo("get-thing-rest");
            assertThat(operation.at("/responses/404/content/application~1json/schema/$ref").asText()).isEqualTo("#/components/schemas/Error");
            assertThat(operation.at("/responses/401/$ref").asText()).isEqualTo(OpenApiDocument.UNAUTHORIZED);
            assertThat(document.at("/components/schemas/Error/properties/error/type").asText()).isEqualTo("string");
            assertThat(document.at("/components/securitySchemes/ApiKey/name").asText()).isEqualTo("X-API-Key");
        }
    }

    @Test
    void aTypeThatCannotBeLoadedIsA500WithTheReason() throws Exception {
        try (CamelContext context = restOf("com.example.NoSuchType")) {
            Exchange exchange = new DefaultExchange(context);
            new OpenApiDocument("1.2.3").answer(exchange);
            assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);
            assertThat(mapper.readTree(exchange.getMessage().getBody(byte[].class)).path("error").asText())
                    .startsWith("The OpenAPI document could not be made: ").contains("com.example.NoSuchType");
        }
    }
}
