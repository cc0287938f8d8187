package sh.stagehand.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.transport.DockerHttpClient;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerStats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Reads a container's stats in one quick call, {@code GET /containers/{id}/stats?stream=false&one-shot=true}
 * (API 1.41): docker-java's stats call waits for the engine's second reading, a second per
 * container, which sampling every build would pay each round. Memory is counted as {@code docker
 * stats} counts it: the cgroup's usage less the page cache the kernel can take back
 * ({@code inactive_file} under cgroup v2, {@code total_inactive_file} under v1). Thread-safe.
 */
final class ContainerStatsReader
{
    // The engine's answer for a container that does not run: every figure zero, this time.
    private static final Instant NEVER_READ = Instant.parse("0001-01-01T00:00:00Z");
    private static final int MAX_ANSWER_BYTES = 1 << 20;

    private final DockerEngine engine;
    private final ObjectMapper json = new ObjectMapper();

    ContainerStatsReader(DockerEngine engine)
    {
        this.engine = requireNonNull(engine, "engine is null");
    }

    Optional<ContainerStats> read(String containerId)
    {
        requireNonNull(containerId, "containerId is null");
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET)
                .path("/containers/" + URLEncoder.encode(containerId, StandardCharsets.UTF_8) + "/stats?stream=false&one-shot=true")
                .build();
        return engine.call("read the stats of container " + containerId, () -> {
            try (DockerHttpClient.Response response = engine.httpClient().execute(request); InputStream body = response.getBody()) {
                byte[] answer = body.readNBytes(MAX_ANSWER_BYTES);
                if (response.getStatusCode() == 404) {
                    throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId);
                }
                if (response.getStatusCode() != 200) {
                    throw new StagehandException(StandardErrorCode.PROVIDER_ERROR,
                            "Docker engine refused to read the stats of container " + containerId + ": " + response.getStatusCode() + " " + new String(answer, StandardCharsets.UTF_8).strip());
                }
                return stats(json.readTree(answer));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Optional<ContainerStats> stats(JsonNode answer)
    {
        Instant read;
        try {
            read = Instant.parse(answer.path("read").asText(""));
        }
        catch (DateTimeParseException e) {
            return Optional.empty();
        }
        JsonNode memory = answer.path("memory_stats");
        if (read.equals(NEVER_READ) || !memory.has("usage")) {
            return Optional.empty();
        }
        JsonNode cache = memory.path("stats");
        long reclaimable = cache.has("inactive_file") ? cache.path("inactive_file").asLong() : cache.path("total_inactive_file").asLong();
        long usage = memory.path("usage").asLong();
        return Optional.of(new ContainerStats(read,
                Math.max(0, answer.path("cpu_stats").path("cpu_usage").path("total_usage").asLong()),
                Math.max(0, usage - Math.min(usage, reclaimable)),
                Math.max(0, memory.path("limit").asLong())));
    }
}
