package sh.stagehand.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * A {@link DockerRuntimeProvider}'s connections to its Docker engine, and what a failed call on
 * them tells: the engine's refusal ({@code PROVIDER_ERROR}) apart from an engine out of reach
 * ({@code PROVIDER_UNAVAILABLE}). Thread-safe.
 */
final class DockerEngine
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(DockerEngine.class);

    private final DockerConfig config;
    private final DockerClient client;
    // For the calls whose answer is a stream that may stay silent for long (waiting for an install,
    // following an idle server's log, a quiet pip run): the response timeout would cut them off.
    private final DockerClient streamingClient;
    // The terminals' own (shells, SSH): however many a tenant opens and leaves, the builds' calls
    // keep their pools.
    private final DockerClient terminalClient;
    // For the engine's answers docker-java does not ask for ({@code one-shot} stats).
    private final DockerHttpClient httpClient;

    DockerEngine(DockerConfig config)
    {
        this.config = requireNonNull(config, "config is null");
        // As many as a round of sampling asks at once (every running container's stats).
        this.httpClient = newHttpClient(config, config.apiTimeout(), 64);
        this.client = newClient(config, config.apiTimeout(), 64);
        this.streamingClient = newClient(config, Duration.ZERO, 64);
        this.terminalClient = newClient(config, Duration.ZERO, 256);
    }

    /**
     * Where the engine is: {@code unix:///var/run/docker.sock}, {@code tcp://host:2375}.
     */
    URI host()
    {
        return config.host();
    }

    /**
     * For calls answered within {@link DockerConfig#apiTimeout()}.
     */
    DockerClient client()
    {
        return client;
    }

    /**
     * For calls whose answer is a stream, without a response timeout.
     */
    DockerClient streamingClient()
    {
        return streamingClient;
    }

    /**
     * For terminals: their streams and every call about them, in a pool of their own.
     */
    DockerClient terminalClient()
    {
        return terminalClient;
    }

    /**
     * For requests docker-java does not make, answered within {@link DockerConfig#apiTimeout()}.
     */
    DockerHttpClient httpClient()
    {
        return httpClient;
    }

    /**
     * Checks that the engine answers; closes the clients if it does not.
     *
     * @throws StagehandException {@code PROVIDER_UNAVAILABLE} if it does not
     */
    void ping()
    {
        try {
            client.pingCmd().exec();
        }
        catch (RuntimeException e) {
            close();
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE,
                    "Cannot reach the Docker engine at " + config.host() + ": " + e.getMessage() + ". Start dockerd, or point " + DockerConfig.HOST + " at a running engine", e);
        }
    }

    /**
     * Runs {@code operation}, a call on the engine; a {@link StagehandException} it throws passes
     * as it is.
     *
     * @param action what it does, as in "Cannot ... on the Docker engine"
     */
    <T> T call(String action, Supplier<T> operation)
    {
        try {
            return operation.get();
        }
        catch (StagehandException e) {
            throw e;
        }
        catch (DockerException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Docker engine refused to " + action + ": " + e.getMessage(), e);
        }
        catch (RuntimeException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot " + action + " on the Docker engine at " + config.host() + ": " + e
                    + ". Check that dockerd runs", e);
        }
    }

    void run(String action, Runnable operation)
    {
        call(action, () -> {
            operation.run();
            return null;
        });
    }

    @Override
    public void close()
    {
        try {
            httpClient.close();
        }
        catch (IOException e) {
            log.warn("Failed to close a Docker client", e);
        }
        for (DockerClient dockerClient : List.of(client, streamingClient, terminalClient)) {
            try {
                dockerClient.close();
            }
            catch (IOException e) {
                log.warn("Failed to close a Docker client", e);
            }
        }
    }

    private static DockerClient newClient(DockerConfig config, Duration responseTimeout, int maxConnections)
    {
        return DockerClientImpl.getInstance(clientConfig(config), newHttpClient(config, responseTimeout, maxConnections));
    }

    private static DockerClientConfig clientConfig(DockerConfig config)
    {
        return DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(config.host().toString())
                .build();
    }

    private static DockerHttpClient newHttpClient(DockerConfig config, Duration responseTimeout, int maxConnections)
    {
        DockerClientConfig clientConfig = clientConfig(config);
        return new ZerodepDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .sslConfig(clientConfig.getSSLConfig())
                .maxConnections(maxConnections)
                .connectionTimeout(Duration.ofSeconds(10))
                // zero: no limit
                .responseTimeout(responseTimeout)
                .build();
    }
}
