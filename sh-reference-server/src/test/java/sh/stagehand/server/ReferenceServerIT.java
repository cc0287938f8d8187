package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingPostgres;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server as Main composes it, on the real PostgreSQL and Docker engine.
 */
class ReferenceServerIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    @TempDir
    Path dataDirectory;

    @Test
    void testHealthReportsTheActiveProviders()
            throws Exception
    {
        // A metadata database of its own: never the one bin/run-server keeps its records in.
        String metadata = "meta_" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> properties = Map.of(
                "instance.name", "reference-it",
                "postgres.metadata-database", metadata,
                "data.directory", dataDirectory.toString(),
                "http.port", "0",
                "ssh.port", "0",
                "smtp.port", Integer.toString(sh.stagehand.testkit.TestingPorts.freeStablePort()),
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "docker.host", docker.host().toString());
        try (Stagehand stagehand = Main.platform(properties).build();
                ReferenceServer server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start()) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            JsonNode body = new ObjectMapper().readTree(response.body());
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(body.path("instance").asText()).isEqualTo("reference-it");
            assertThat(body.path("providers").path("runtime").asText()).isEqualTo("docker");
            assertThat(body.path("providers").path("database").asText()).isEqualTo("postgres");
            assertThat(body.path("providers").path("vcs").asText()).isEqualTo("git");
            assertThat(stagehand.databases().exists("postgres")).isTrue();

            token = TestingAccounts.adminToken(stagehand);
            assertTheOpenApiDocumentDescribesEveryRoute(server);
            assertBadRequestsAreAnsweredWithWhatToSend(server);
        }
        finally {
            postgres.execute("DROP DATABASE IF EXISTS \"" + metadata + "\" WITH (FORCE)");
        }
    }

    private static String token;

    private static void assertTheOpenApiDocumentDescribesEveryRoute(ReferenceServer server)
            throws Exception
    {
        HttpResponse<String> document = get(server, "/api/openapi.yaml");
        assertThat(document.statusCode()).isEqualTo(200);
        JsonNode openApi = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(document.body());
        assertThat(openApi.path("openapi").asText()).startsWith("3.");
        java.util.Set<String> documented = new java.util.TreeSet<>();
        openApi.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (!method.equals("parameters")) {
                documented.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
            }
        }));
        // Javalin's <branch> takes slashes; OpenAPI writes every parameter {branch}.
        java.util.Set<String> registered = new java.util.TreeSet<>(server.routes().stream().map(route -> route.replaceAll("<([^>]+)>", "{$1}")).toList());
        assertThat(documented).isEqualTo(registered);
        // Every reference points at a component that exists.
        java.util.regex.Matcher refs = java.util.regex.Pattern.compile("\\$ref: '#/components/(\\w+)/(\\w+)'").matcher(document.body());
        while (refs.find()) {
            assertThat(openApi.path("components").path(refs.group(1)).has(refs.group(2))).as(refs.group()).isTrue();
        }
    }

    private static void assertBadRequestsAreAnsweredWithWhatToSend(ReferenceServer server)
            throws Exception
    {
        assertThat(send(server, "POST", "/api/projects", "{\"id\": \"x\", ")).satisfies(response -> {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("INVALID_ARGUMENT", "not the JSON expected");
        });
        assertThat(send(server, "POST", "/api/projects", "[1, 2]").body()).contains("The request body must be a JSON object");
        assertThat(send(server, "PUT", "/api/projects/nope", "{\"trial\": \"yes\"}").body()).contains("Field 'trial' must be true or false (it is 'yes')");
        HttpResponse<String> unknown = get(server, "/api/no/such/route");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(unknown.body()).contains("NOT_FOUND", "No route GET /api/no/such/route", "/api/openapi.yaml");
    }

    private static HttpResponse<String> get(ReferenceServer server, String path)
            throws Exception
    {
        return HttpClient.newHttpClient().send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(ReferenceServer server, String method, String path, String body)
            throws Exception
    {
        return HttpClient.newHttpClient().send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
