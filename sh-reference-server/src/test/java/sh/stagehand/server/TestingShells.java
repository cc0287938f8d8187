package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import sh.stagehand.testkit.TestingWebSocket;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web shell as a client uses it: a ticket from {@code POST /api/builds/{build}/shell}, then the
 * websocket it names; lines typed as a terminal sends them.
 */
public final class TestingShells
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestingShells() {}

    /**
     * Opens a shell in the build, asserting its stage as the ticket gives it.
     *
     * @param query what follows the ticket in the socket's URL ({@code &columns=100&rows=30}), or empty
     */
    public static TestingWebSocket open(ReferenceServer server, String bearer, long buildId, String stage, String query)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = postTicket(server, bearer, buildId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode ticket = JSON.readTree(response.body());
        assertThat(ticket.path("stage").asText()).isEqualTo(stage);
        return TestingWebSocket.connect(URI.create("ws://127.0.0.1:" + server.port() + ticket.path("path").asText() + query), Map.of());
    }

    public static HttpResponse<String> postTicket(ReferenceServer server, String bearer, long buildId)
            throws IOException, InterruptedException
    {
        return HTTP.send(TestingAccounts.authorized(bearer, URI.create("http://127.0.0.1:" + server.port() + "/api/builds/" + buildId + "/shell"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    public static void type(TestingWebSocket shell, String line)
    {
        shell.sendBinary((line + "\r").getBytes(StandardCharsets.UTF_8));
    }
}
