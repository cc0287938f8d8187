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
 * <li>{@code docker.tenant-network-pool}: the IPv4 range a network per tenant is cut from, a
 *     {@code /24} each (default {@code 10.213.0.0/16}: 256 tenants); the database server must admit
 *     build roles from it, and the host should let its bridges ({@code shb…}) reach only the
 *     database and the mail catcher (bin/env-up does both)</li>
 * <li>{@code docker.image-build-timeout-seconds}: the longest an image build (a requirements
 *     install, whose packages' own code runs) may take, after which it is stopped (default 1800)</li>
 * <li>{@code docker.image-build-memory-mb}: the memory an image build may use, no swap beyond it (default 2048)</li>
 * </ul>
 */
public record DockerConfig(URI host, Optional<String> network, Duration apiTimeout, String tenantNetworkPool, Duration imageBuildTimeout, long imageBuildMemoryBytes)
{
    public static final String HOST = "docker.host";
    public static final String NETWORK = "docker.network";
    public static final String API_TIMEOUT_SECONDS = "docker.api-timeout-seconds";
    public static final String TENANT_NETWORK_POOL = "docker.tenant-network-pool";
    public static final String IMAGE_BUILD_TIMEOUT_SECONDS = "docker.image-build-timeout-seconds";
    public static final String IMAGE_BUILD_MEMORY_MB = "docker.image-build-memory-mb";

    private static final Set<String> KEYS = Set.of(HOST, NETWORK, API_TIMEOUT_SECONDS, TENANT_NETWORK_POOL, IMAGE_BUILD_TIMEOUT_SECONDS, IMAGE_BUILD_MEMORY_MB);

    public DockerConfig
    {
        requireNonNull(host, "host is null");
        requireNonNull(network, "network is null");
        requireNonNull(apiTimeout, "apiTimeout is null");
        requireNonNull(tenantNetworkPool, "tenantNetworkPool is null");
        requireNonNull(imageBuildTimeout, "imageBuildTimeout is null");
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
        long timeoutSeconds = positive(config, API_TIMEOUT_SECONDS, "60", "seconds");
        long buildSeconds = positive(config, IMAGE_BUILD_TIMEOUT_SECONDS, "1800", "seconds");
        long buildMemory = positive(config, IMAGE_BUILD_MEMORY_MB, "2048", "MiB");
        String pool = config.getOrDefault(TENANT_NETWORK_POOL, "10.213.0.0/16").strip();
        if (!pool.matches("(\\d{1,3}\\.){3}\\d{1,3}/(8|9|1[0-9]|2[0-4])")) {
            throw invalid(TENANT_NETWORK_POOL + "=" + pool + " is not an IPv4 range of /24 networks or more, such as 10.213.0.0/16");
        }
        return new DockerConfig(host, Optional.ofNullable(config.get(NETWORK)).map(String::strip).filter(name -> !name.isEmpty()), Duration.ofSeconds(timeoutSeconds), pool,
                Duration.ofSeconds(buildSeconds), buildMemory * 1024 * 1024);
    }

    private static long positive(Map<String, String> config, String key, String defaultValue, String unit)
    {
        String value = config.getOrDefault(key, defaultValue);
        long number;
        try {
            number = Long.parseLong(value.strip());
        }
        catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 1) {
            throw invalid(key + "=" + value + " is not a positive whole number of " + unit);
        }
        return number;
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }
}
