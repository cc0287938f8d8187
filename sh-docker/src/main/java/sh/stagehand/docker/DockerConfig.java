package sh.stagehand.docker;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Configuration of the Docker provider, keys under {@code docker.}:
 * <ul>
 * <li>{@code docker.host}: the engine's address, {@code unix://} or {@code tcp://} (default
 *     {@code unix:///var/run/docker.sock})</li>
 * <li>{@code docker.network}: the network containers join when their spec names none (default:
 *     the engine's {@code bridge})</li>
 * <li>{@code docker.api-timeout-seconds}: how long one engine call may take (default 60)</li>
 * </ul>
 */
public record DockerConfig(URI host, Optional<String> network, Duration apiTimeout)
{
    public static final String HOST = "docker.host";
    public static final String NETWORK = "docker.network";
    public static final String API_TIMEOUT_SECONDS = "docker.api-timeout-seconds";

    private static final Set<String> KEYS = Set.of(HOST, NETWORK, API_TIMEOUT_SECONDS);

    public DockerConfig
    {
        requireNonNull(host, "host is null");
        requireNonNull(network, "network is null");
        requireNonNull(apiTimeout, "apiTimeout is null");
    }

    public static DockerConfig fromMap(Map<String, String> config)
    {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid("Unknown configuration key " + key + "; the Docker provider knows " + new TreeSet<>(KEYS));
            }
        }
        String hostValue = config.getOrDefault(HOST, "unix:///var/run/docker.sock");
        URI host;
        try {
            host = URI.create(hostValue);
        }
        catch (IllegalArgumentException e) {
            throw invalid(HOST + "=" + hostValue + " is not a URI: " + e.getMessage());
        }
        if (!Set.of("unix", "tcp").contains(String.valueOf(host.getScheme()))) {
            throw invalid(HOST + "=" + hostValue + " is not a Docker engine address; use unix:///var/run/docker.sock or tcp://HOST:2375");
        }
        long timeoutSeconds;
        String timeoutValue = config.getOrDefault(API_TIMEOUT_SECONDS, "60");
        try {
            timeoutSeconds = Long.parseLong(timeoutValue.strip());
        }
        catch (NumberFormatException e) {
            timeoutSeconds = -1;
        }
        if (timeoutSeconds < 1) {
            throw invalid(API_TIMEOUT_SECONDS + "=" + timeoutValue + " is not a positive whole number of seconds");
        }
        return new DockerConfig(host, Optional.ofNullable(config.get(NETWORK)).map(String::strip).filter(name -> !name.isEmpty()), Duration.ofSeconds(timeoutSeconds));
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }
}
