package sh.stagehand.docker;

import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Configuration of the Docker provider, keys under {@code docker.}, declared in {@link #KEYS}.
 */
public record DockerConfig(URI host, Optional<String> network, Duration apiTimeout, String tenantNetworkPool, Duration imageBuildTimeout, long imageBuildMemoryBytes)
{
    public static final ConfigKey<URI> HOST = ConfigKey.of("docker.host",
            ConfigType.uri().check(uri -> Set.of("unix", "tcp").contains(String.valueOf(uri.getScheme())), "a Docker engine address; use unix:///var/run/docker.sock or tcp://HOST:2375"),
            "unix:///var/run/docker.sock", "the engine's address, unix:// or tcp://");
    public static final ConfigKey<String> NETWORK = ConfigKey.optional("docker.network", ConfigType.nonEmptyString(),
            "the network containers join when their spec names none (default: the engine's bridge)");
    public static final ConfigKey<Duration> API_TIMEOUT = ConfigKey.of("docker.api-timeout", ConfigType.duration(), "60s", "how long one engine call may take")
            .formerly("docker.api-timeout-seconds");
    /**
     * A {@code /24} is cut from it for each tenant (the default: 256 tenants); the database server
     * must admit build roles from it, and the host should let its bridges ({@code shb…}) reach
     * only the database and the mail catcher (bin/env-up does both).
     */
    public static final ConfigKey<String> TENANT_NETWORK_POOL = ConfigKey.of("docker.tenant-network-pool",
            ConfigType.nonEmptyString().check(pool -> pool.matches("(\\d{1,3}\\.){3}\\d{1,3}/(8|9|1[0-9]|2[0-4])"), "an IPv4 range of /24 networks or more, such as 10.213.0.0/16"),
            "10.213.0.0/16", "the IPv4 range a network per tenant is cut from, a /24 each");
    public static final ConfigKey<Duration> IMAGE_BUILD_TIMEOUT = ConfigKey.of("docker.image-build-timeout", ConfigType.duration(), "30m",
            "the longest an image build (a requirements install, whose packages' own code runs) may take, after which it is stopped")
            .formerly("docker.image-build-timeout-seconds");
    public static final ConfigKey<Long> IMAGE_BUILD_MEMORY_MB = ConfigKey.of("docker.image-build-memory-mb", ConfigType.longInteger(1, Long.MAX_VALUE >> 20), "2048",
            "the memory in MiB an image build may use, no swap beyond it");

    public static final ConfigKeys KEYS = ConfigKeys.of("the Docker provider", HOST, NETWORK, API_TIMEOUT, TENANT_NETWORK_POOL, IMAGE_BUILD_TIMEOUT, IMAGE_BUILD_MEMORY_MB);

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
        ConfigValues values = KEYS.read(config);
        return new DockerConfig(values.get(HOST), values.optional(NETWORK), values.get(API_TIMEOUT), values.get(TENANT_NETWORK_POOL), values.get(IMAGE_BUILD_TIMEOUT),
                values.get(IMAGE_BUILD_MEMORY_MB) << 20);
    }
}
