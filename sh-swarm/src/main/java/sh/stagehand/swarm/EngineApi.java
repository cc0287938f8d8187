package sh.stagehand.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The Docker Engine API of one engine as JSON, at API version 1.41 (Docker 20.10): what the Swarm
 * runtime asks that docker-java's models cannot say (a service's dropped capabilities and process
 * limit). An answer is its status and its body. Thread-safe.
 */
final class EngineApi
        implements AutoCloseable
{
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = "/v1.41";

    private final URI host;
    private final DockerHttpClient http;

    record Answer(int status, JsonNode body)
    {
        boolean ok()
        {
            return status >= 200 && status < 300;
        }

        String message()
        {
            return body.path("message").asText(body.toString());
        }
    }

    EngineApi(URI host, Duration timeout)
    {
        this.host = requireNonNull(host, "host is null");
        this.http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(host)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(timeout)
                .maxConnections(32)
                .build();
    }

    URI host()
    {
        return host;
    }

    Answer get(String path)
    {
        return send(DockerHttpClient.Request.Method.GET, path, null, Map.of());
    }

    Answer post(String path, Object body)
    {
        return send(DockerHttpClient.Request.Method.POST, path, body, Map.of());
    }

    Answer post(String path, Object body, Map<String, String> headers)
    {
        return send(DockerHttpClient.Request.Method.POST, path, body, headers);
    }

    Answer delete(String path)
    {
        return send(DockerHttpClient.Request.Method.DELETE, path, null, Map.of());
    }

    /**
     * @return {@code ?filters=…} for these filters, each a list of values
     */
    static String filters(Map<String, ?> filters)
    {
        try {
            return "?filters=" + URLEncoder.encode(JSON.writeValueAsString(filters), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Answer send(DockerHttpClient.Request.Method method, String path, Object body, Map<String, String> headers)
    {
        try {
            DockerHttpClient.Request.Builder request = DockerHttpClient.Request.builder()
                    .method(method)
                    .path(VERSION + path)
                    .putHeader("Accept", "application/json");
            headers.forEach(request::putHeader);
            if (body != null) {
                request.putHeader("Content-Type", "application/json").body(new ByteArrayInputStream(JSON.writeValueAsBytes(body)));
            }
            try (DockerHttpClient.Response response = http.execute(request.build()); InputStream in = response.getBody()) {
                byte[] bytes = in.readAllBytes();
                JsonNode json = bytes.length == 0 ? MissingNode.getInstance() : parse(bytes);
                return new Answer(response.getStatusCode(), json);
            }
        }
        catch (IOException | RuntimeException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot " + method + " " + path + " on the Docker engine at " + host + ": " + e
                    + ". Check that its dockerd runs", e);
        }
    }

    // A push answers a stream of JSON objects: the last one says how it ended.
    private static JsonNode parse(byte[] bytes)
            throws IOException
    {
        try {
            return JSON.readTree(bytes);
        }
        catch (IOException e) {
            JsonNode last = MissingNode.getInstance();
            for (var objects = JSON.readerFor(JsonNode.class).readValues(bytes); objects.hasNext(); ) {
                last = (JsonNode) objects.next();
            }
            return last;
        }
    }

    @Override
    public void close()
    {
        try {
            http.close();
        }
        catch (IOException e) {
            // closing
        }
    }
}
