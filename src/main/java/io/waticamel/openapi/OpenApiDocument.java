package io.waticamel.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.servers.Server;
import io.waticamel.http.JsonAnswer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.openapi.BeanConfig;
import org.apache.camel.openapi.OpenApiHelper;
import org.apache.camel.openapi.RestOpenApiReader;
import org.apache.camel.openapi.RestOpenApiSupport;
import org.apache.camel.spi.RestConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code GET /api/v1/openapi.json} (bean {@code openApiDocument}): the OpenAPI 3 document of the HTTP
 * API. camel-openapi-java reads it from the REST DSL of every route file loaded, the runtime's and
 * the user's, with the schemas of {@link ApiSchemas}; {@value #COMPLETION}, a JSON Merge Patch
 * (RFC 7386) over that, then adds what the REST DSL cannot say: the API key, which the HTTP server checks on
 * every path under the REST context path whatever a route file declares, so it is the document's
 * default requirement and each operation that keeps it gets the server's 401; and the paths of
 * platform-http routes outside the REST DSL (the WATI webhook). Made once, at the first request: the
 * REST DSL does not change after start.
 */
public class OpenApiDocument {

    /** The classpath resource with what the REST DSL cannot say. */
    public static final String COMPLETION = "wati/openapi/document.yaml";
    static final String UNAUTHORIZED = "#/components/responses/Unauthorized";
    /** POST /v1/actions: a CRM reads the task variables whatever the answer, the server's 401 too. */
    static final String UNAUTHORIZED_ACTION = "#/components/responses/UnauthorizedAction";
    private static final String CLASS_NAME_EXTENSION = "x-className";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Logger LOG = LoggerFactory.getLogger(OpenApiDocument.class);

    private final String version;
    private final ObjectMapper json = new ObjectMapper();
    private volatile JsonNode document;

    /** @param version the runtime's version, the document's {@code info.version} */
    public OpenApiDocument(String version) {
        this.version = version;
    }

    /** The document; 500 with the reason when it cannot be made (a route file's REST DSL names a type that cannot be loaded). */
    public void answer(Exchange exchange) throws Exception {
        JsonNode made;
        try {
            made = document(exchange.getContext());
        } catch (Exception e) {
            LOG.warn("The OpenAPI document could not be made: {}", e.toString());
            JsonAnswer.error(exchange, 500, "The OpenAPI document could not be made: " + e.getMessage());
            return;
        }
        JsonAnswer.send(exchange, 200, made);
    }

    /** The document, made at the first call. */
    public JsonNode document(CamelContext context) throws Exception {
        JsonNode made = document;
        if (made == null) {
            synchronized (this) {
                if (document == null) {
                    document = make(context);
                }
                made = document;
            }
        }
        return made;
    }

    private JsonNode make(CamelContext context) throws Exception {
        RestConfiguration rest = context.getRestConfiguration();
        BeanConfig config = new BeanConfig();
        RestOpenApiSupport support = new RestOpenApiSupport();
        // title and description are in the completion, with the rest of the document's text
        support.initOpenApi(config, Map.of("api.version", version));
        // the server is given below, relative to wherever the document was fetched from (no host guessed)
        config.setSchemes(null);
        OpenAPI api = new RestOpenApiReader().read(context, support.getRestDefinitions(context), config, context.getName(),
                context.getClassResolver());
        if (!rest.isApiVendorExtension()) {
            OpenApiHelper.clearVendorExtensions(api);
        }
        String contextPath = rest.getContextPath() == null || rest.getContextPath().isBlank() ? "/" : rest.getContextPath();
        api.setServers(List.of(new Server().url(contextPath).description("The REST API (camel.rest.context-path)")));
        ObjectNode generated = (ObjectNode) json.readTree(RestOpenApiSupport.getJsonFromOpenAPIAsString(api, config));
        if (!rest.isApiVendorExtension()) {
            // Camel's class name marks on schemas its own clearing leaves (in properties)
            generated.findParents(CLASS_NAME_EXTENSION).forEach(parent -> ((ObjectNode) parent).remove(CLASS_NAME_EXTENSION));
        }
        complete(generated, completion());
        return generated;
    }

    private ObjectNode completion() throws IOException {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(COMPLETION)) {
            if (in == null) {
                throw new IllegalStateException(COMPLETION + " is missing from the classpath");
            }
            Object yaml = new Load(LoadSettings.builder().build()).loadFromString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return json.valueToTree(yaml);
        }
    }

    /**
     * {@code completion} merged into {@code document} as a JSON Merge Patch, then the server's 401 on
     * each operation that keeps the document's security.
     */
    static void complete(ObjectNode document, ObjectNode completion) {
        merge(document, completion);
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(member -> {
            if (METHODS.contains(member.getKey()) && member.getValue() instanceof ObjectNode operation && !operation.has("security")) {
                ObjectNode responses = operation.has("responses") ? (ObjectNode) operation.get("responses") : operation.putObject("responses");
                if (!responses.has("401")) {
                    boolean action = path.getKey().equals("/v1/actions") && member.getKey().equals("post");
                    responses.putObject("401").put("$ref", action ? UNAUTHORIZED_ACTION : UNAUTHORIZED);
                }
            }
        }));
    }

    /** JSON Merge Patch (RFC 7386): objects member by member, null removes a member, anything else replaces it. */
    static void merge(ObjectNode target, ObjectNode patch) {
        patch.properties().forEach(member -> {
            JsonNode value = member.getValue();
            JsonNode existing = target.get(member.getKey());
            if (value.isNull()) {
                target.remove(member.getKey());
            } else if (value instanceof ObjectNode from) {
                merge(existing instanceof ObjectNode into ? into : target.putObject(member.getKey()), from);
            } else {
                target.set(member.getKey(), value.deepCopy());
            }
        });
    }
}
