package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.docker.DockerModule;
import sh.stagehand.github.GitHubModule;
import sh.stagehand.postgres.PostgresModule;
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
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "docker.host", docker.host().toString());
        try (Stagehand stagehand = Stagehand.builder()
                .withProperties(properties)
                .withModule(new DockerModule())
                .withModule(new PostgresModule())
                .withModule(new GitHubModule())
                .build();
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
        }
        finally {
            postgres.execute("DROP DATABASE IF EXISTS \"" + metadata + "\" WITH (FORCE)");
        }
    }
}
